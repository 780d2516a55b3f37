using System.Text.RegularExpressions;

namespace Tappaas.Engine.Site;

/// <summary>What a file of upstream's config folder is, by its path in the folder.</summary>
public enum ConfigFileKind
{
    /// <summary>Not a file TAPPaaS knows there (kept, not read).</summary>
    Other,

    /// <summary>configuration.json.</summary>
    SiteConfiguration,

    /// <summary>zones.json.</summary>
    Zones,

    /// <summary>zones.json.orig, the zone table's merge baseline.</summary>
    ZonesBaseline,

    /// <summary>An installed module, <c>&lt;name&gt;.json</c>.</summary>
    Module,

    /// <summary>A module's merge baseline, <c>&lt;name&gt;.json.orig</c>.</summary>
    ModuleBaseline,

    /// <summary>A container module's sidecar, <c>&lt;name&gt;.meta.json</c>.</summary>
    LxcMeta,

    /// <summary>A backup source of the backup module, <c>remote-&lt;n&gt;.json</c> or <c>external-&lt;n&gt;.json</c>.</summary>
    BackupSource,

    /// <summary>The firewall's rule sequence numbers, <c>firewall/sequence-map.json</c>.</summary>
    FirewallSequenceMap,

    /// <summary>Upstream's field dictionary, <c>module-fields.json</c>, which its tools keep beside the modules.</summary>
    FieldDictionary,
}

/// <summary>The layout of upstream's config folder (<c>/home/tappaas/config</c>), which a site's <c>config/</c> keeps.</summary>
public static partial class ConfigFolder
{
    /// <summary>
    /// The kind of the file at <paramref name="relative"/> (slash-separated, inside the folder). <paramref name="isModule"/>
    /// says which names are modules (their <c>.json</c> and <c>.json.orig</c>); without it no file is a module.
    /// </summary>
    public static ConfigFileKind KindOf(string relative, Func<string, bool>? isModule = null)
    {
        switch (relative)
        {
            case "configuration.json":
                return ConfigFileKind.SiteConfiguration;
            case "zones.json":
                return ConfigFileKind.Zones;
            case "zones.json.orig":
                return ConfigFileKind.ZonesBaseline;
            case "firewall/sequence-map.json":
                return ConfigFileKind.FirewallSequenceMap;
            case "module-fields.json":
                return ConfigFileKind.FieldDictionary;
        }

        if (relative.Contains('/'))
        {
            return ConfigFileKind.Other;
        }

        if (relative.EndsWith(".meta.json", StringComparison.Ordinal))
        {
            return ConfigFileKind.LxcMeta;
        }

        if (BackupSource().IsMatch(relative))
        {
            return ConfigFileKind.BackupSource;
        }

        return ModuleOf(relative) is { } name && isModule?.Invoke(name) == true
            ? relative.EndsWith(".orig", StringComparison.Ordinal) ? ConfigFileKind.ModuleBaseline : ConfigFileKind.Module
            : ConfigFileKind.Other;
    }

    /// <summary>The module a top-level file belongs to (<c>x.json</c>, <c>x.json.orig</c>, <c>x.meta.json</c> → x), else null.</summary>
    public static string? ModuleOf(string relative) =>
        relative.Contains('/') ? null
        : relative.EndsWith(".meta.json", StringComparison.Ordinal) ? relative[..^".meta.json".Length]
        : relative.EndsWith(".json.orig", StringComparison.Ordinal) ? relative[..^".json.orig".Length]
        : relative.EndsWith(".json", StringComparison.Ordinal) ? relative[..^".json".Length]
        : null;

    [GeneratedRegex("^(remote|external)-[^/]+\\.json$")]
    private static partial Regex BackupSource();
}
