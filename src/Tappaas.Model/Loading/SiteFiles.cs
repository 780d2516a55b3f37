using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;
using Tappaas.Model.Site;
using Tappaas.Model.Zones;

namespace Tappaas.Model.Loading;

/// <summary>Reads a site's configuration.json and zones.json from its config folder (upstream's layout).</summary>
public static class SiteFiles
{
    /// <summary>The configuration and zones (null when a file is missing or unreadable) and the problems found.</summary>
    public static (SiteConfiguration? Site, ZoneSet? Zones, IReadOnlyList<Diagnostic> Diagnostics) Read(string configDir)
    {
        var bag = new DiagnosticBag();
        var configurationFile = Path.Combine(configDir, "configuration.json");
        var zonesFile = Path.Combine(configDir, "zones.json");
        SiteConfiguration? site = null;
        ZoneSet? zones = null;
        if (File.Exists(configurationFile))
        {
            var parsed = JsonSource.ParseFile(configurationFile, configurationFile);
            bag.AddRange(parsed.Diagnostics);
            if (parsed.Root is JObject c)
            {
                site = SiteConfigurationReader.Read(c, new DiagnosticSink(configurationFile, bag));
            }
        }

        if (File.Exists(zonesFile))
        {
            var parsed = JsonSource.ParseFile(zonesFile, zonesFile);
            bag.AddRange(parsed.Diagnostics);
            if (parsed.Root is JObject z)
            {
                zones = ZonesReader.Read(z, new DiagnosticSink(zonesFile, bag));
            }
        }

        return (site, zones, bag);
    }
}
