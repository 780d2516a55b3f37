using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;
using Tappaas.Model.Site;
using Tappaas.Model.Zones;

namespace Tappaas.Engine.Site;

/// <summary>Reads a site's configuration.json and zones.json.</summary>
public static class SiteFiles
{
    /// <summary>The configuration and zones (null when a file is missing or unreadable) and the problems found.</summary>
    public static (SiteConfiguration? Site, ZoneSet? Zones, IReadOnlyList<Diagnostic> Diagnostics) Read(SiteLayout layout)
    {
        var bag = new DiagnosticBag();
        SiteConfiguration? site = null;
        ZoneSet? zones = null;
        if (File.Exists(layout.ConfigurationFile))
        {
            var parsed = JsonSource.ParseFile(layout.ConfigurationFile, layout.ConfigurationFile);
            bag.AddRange(parsed.Diagnostics);
            if (parsed.Root is JObject c)
            {
                site = SiteConfigurationReader.Read(c, new DiagnosticSink(layout.ConfigurationFile, bag));
            }
        }

        if (File.Exists(layout.ZonesFile))
        {
            var parsed = JsonSource.ParseFile(layout.ZonesFile, layout.ZonesFile);
            bag.AddRange(parsed.Diagnostics);
            if (parsed.Root is JObject z)
            {
                zones = ZonesReader.Read(z, new DiagnosticSink(layout.ZonesFile, bag));
            }
        }

        return (site, zones, bag);
    }
}
