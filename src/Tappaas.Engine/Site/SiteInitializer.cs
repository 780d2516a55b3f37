using Tappaas.IO;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tappaas.Engine.Site;

/// <summary>Creates an empty site: configuration.json and zones.json in the upstream shapes. Existing files are left alone.</summary>
public static class SiteInitializer
{
    /// <summary>Writes the site's files that do not exist yet; returns the files it wrote.</summary>
    public static IReadOnlyList<string> Initialize(SiteLayout layout, string domain, IReadOnlyDictionary<string, string> backends, IReadOnlyList<string> repositories)
    {
        Directory.CreateDirectory(layout.ConfigDir);
        Directory.CreateDirectory(layout.LogsDir);
        var written = new List<string>();
        if (!File.Exists(layout.ConfigurationFile))
        {
            var config = new JsonObject
            {
                ["tappaas"] = new JsonObject
                {
                    ["version"] = "0.5",
                    ["domain"] = domain,
                    ["email"] = $"admin@{domain}",
                    ["nodeCount"] = 1,
                    ["repositories"] = new JsonArray([.. repositories.Select((path, i) => (JsonNode)new JsonObject
                    {
                        ["name"] = i == 0 ? "TAPPaaS" : Path.GetFileName(path.TrimEnd('/')),
                        ["url"] = "local",
                        ["branch"] = "main",
                        ["path"] = path,
                        ["managed"] = "tracked",
                    })]),
                    ["updateSchedule"] = new JsonArray("monthly", "Thursday", 2),
                    ["automaticReboot"] = false,
                    ["snapshotRetention"] = 5,
                    ["backends"] = new JsonObject([.. backends.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]),
                },
                ["tappaas-nodes"] = new JsonArray(new JsonObject { ["hostname"] = Environment.MachineName.ToLowerInvariant(), ["ip"] = "127.0.0.1" }),
            };
            AtomicFile.Write(layout.ConfigurationFile, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            written.Add(layout.ConfigurationFile);
        }

        if (!File.Exists(layout.ZonesFile))
        {
            AtomicFile.Write(layout.ZonesFile, DefaultZones);
            written.Add(layout.ZonesFile);
        }

        return written;
    }

    /// <summary>A starting zone table in the upstream shape (vlantag = typeId*100+subId, subnet 10.typeId.subId.0/24).</summary>
    public const string DefaultZones = """
        {
          "mgmt": {"type": "Management", "state": "Manual", "typeId": 0, "subId": 0, "vlantag": 0, "ip": "10.0.0.0/24", "bridge": "lan",
                   "access-to": ["internet", "srvHome", "srvWork", "home", "work", "guest", "iotLocal", "dmz"], "description": "Management: nodes and the platform itself"},
          "srvHome": {"type": "Service", "state": "Active", "typeId": 2, "subId": 10, "vlantag": 210, "ip": "10.2.10.0/24", "bridge": "lan",
                      "access-to": ["internet", "iotLocal", "dmz"], "pinhole-allowed-from": ["dmz"], "description": "Services for the household"},
          "srvWork": {"type": "Service", "state": "Active", "typeId": 2, "subId": 20, "vlantag": 220, "ip": "10.2.20.0/24", "bridge": "lan",
                      "access-to": ["internet", "dmz"], "pinhole-allowed-from": ["dmz"], "description": "Services for work"},
          "home": {"type": "Client", "state": "Active", "typeId": 3, "subId": 10, "vlantag": 310, "ip": "10.3.10.0/24", "bridge": "lan",
                   "access-to": ["internet", "srvHome"], "description": "Household devices"},
          "work": {"type": "Client", "state": "Active", "typeId": 3, "subId": 20, "vlantag": 320, "ip": "10.3.20.0/24", "bridge": "lan",
                   "access-to": ["internet", "srvWork"], "description": "Work devices"},
          "iotLocal": {"type": "IoT", "state": "Active", "typeId": 4, "subId": 10, "vlantag": 410, "ip": "10.4.10.0/24", "bridge": "lan",
                       "access-to": [], "pinhole-allowed-from": ["srvHome"], "description": "Local-only devices"},
          "guest": {"type": "Guest", "state": "Active", "typeId": 5, "subId": 10, "vlantag": 510, "ip": "10.5.10.0/24", "bridge": "lan",
                    "access-to": ["internet"], "description": "Guests: internet only"},
          "dmz": {"type": "DMZ", "state": "Mandatory", "typeId": 6, "subId": 10, "vlantag": 610, "ip": "10.6.10.0/24", "bridge": "lan",
                  "access-to": ["internet"], "pinhole-allowed-from": ["internet"], "description": "Reverse proxy and published services"}
        }

        """;
}
