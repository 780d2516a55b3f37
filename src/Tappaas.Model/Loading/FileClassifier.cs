using Tappaas.Model.Json;

namespace Tappaas.Model.Loading;

/// <summary>Tells module files apart from zones, site configuration, catalogs, schemas and sidecars.</summary>
public static class FileClassifier
{
    private static readonly string[] s_moduleMarkers = ["dependsOn", "provides", "vmid", "vmname", "config", "imageType", "image", "zone0", "node"];

    /// <summary>Classifies a parsed file by its name, folder and content.</summary>
    public static JsonFileKind Classify(string path, JNode root)
    {
        var name = Path.GetFileName(path);
        var parent = Path.GetFileName(Path.GetDirectoryName(path) ?? "");
        var grandParent = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path) ?? "") ?? "");
        var obj = root as JObject;

        if (name.EndsWith(".meta.json", StringComparison.Ordinal))
        {
            return JsonFileKind.LxcMeta;
        }

        switch (name)
        {
            case "pinhole.json":
                return JsonFileKind.Pinhole;
            case "aliases.json":
                return JsonFileKind.Aliases;
            case "zones.json":
                return JsonFileKind.Zones;
            case "configuration.json":
                return JsonFileKind.SiteConfiguration;
            case "module-catalog.json":
                return JsonFileKind.Catalog;
            case "modules.json" when obj is not null && (obj.Has("foundationModules") || obj.Has("applicationModules") || obj.Has("modules")):
                return JsonFileKind.LegacyCatalog;
        }

        if (obj is null)
        {
            return JsonFileKind.Other;
        }

        if (name.EndsWith("-fields.json", StringComparison.Ordinal) || obj.Has("$schema") || obj.Has("$id"))
        {
            return JsonFileKind.Schema;
        }

        if (obj.Has("foundationModules") || obj.Has("applicationModules"))
        {
            return JsonFileKind.Catalog;
        }

        if (obj.Has("tappaas") && obj.Has("tappaas-nodes"))
        {
            return JsonFileKind.SiteConfiguration;
        }

        if (grandParent == "services" && parent.Length > 0)
        {
            return JsonFileKind.ServiceDocument;
        }

        if (s_moduleMarkers.Any(obj.Has) || (obj.Has("description") && obj.Has("version")))
        {
            return JsonFileKind.Module;
        }

        return JsonFileKind.Other;
    }
}
