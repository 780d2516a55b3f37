namespace Tappaas.Engine.Site;

/// <summary>
/// The folders and files of a site. <c>config/</c> is upstream's config folder (configuration.json, zones.json and
/// each installed module as <c>&lt;name&gt;.json</c> plus its <c>&lt;name&gt;.json.orig</c> merge baseline), so an existing
/// TAPPaaS config folder can be imported and exported; <c>state.db</c> is the state store.
/// </summary>
/// <param name="Root">The site folder.</param>
public sealed record SiteLayout(string Root)
{
    /// <summary>The upstream-layout config folder.</summary>
    public string ConfigDir => Path.Combine(Root, "config");

    /// <summary>The SQLite state database.</summary>
    public string StatePath => Path.Combine(Root, "state.db");

    /// <summary>Per-module logs.</summary>
    public string LogsDir => Path.Combine(Root, "logs");

    /// <summary>configuration.json.</summary>
    public string ConfigurationFile => Path.Combine(ConfigDir, "configuration.json");

    /// <summary>zones.json.</summary>
    public string ZonesFile => Path.Combine(ConfigDir, "zones.json");

    /// <summary>The installed copy of a module.</summary>
    public string ModuleFile(string name) => Path.Combine(ConfigDir, name + ".json");

    /// <summary>The merge baseline of a module (the release it was installed or last updated from).</summary>
    public string OrigFile(string name) => Path.Combine(ConfigDir, name + ".json.orig");

    /// <summary>The default site folder: <c>$TAPPAAS_SITE</c>, else <c>$XDG_DATA_HOME/tappaas/site</c>, else <c>~/.local/share/tappaas/site</c>.</summary>
    public static string DefaultRoot()
    {
        if (Environment.GetEnvironmentVariable("TAPPAAS_SITE") is { Length: > 0 } site)
        {
            return site;
        }

        var data = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, "tappaas", "site");
    }
}
