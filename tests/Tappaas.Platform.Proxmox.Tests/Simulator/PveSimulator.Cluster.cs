using System.Text.Json.Nodes;

namespace Tappaas.Platform.Proxmox.Tests.Simulator;

public sealed partial class PveSimulator
{
    private (bool Handled, JsonNode? Data) ClusterRoute(string method, string template, Dictionary<string, string> v, Dictionary<string, string> p)
    {
        switch (method, template)
        {
            case ("GET", "/cluster/ha/resources"):
                return (true, List(HaResources));
            case ("POST", "/cluster/ha/resources"):
                HaResources[p["sid"]] = Object(p);
                return (true, null);
            case ("DELETE", "/cluster/ha/resources/{sid}"):
                return (true, Remove(HaResources, v["sid"], "resource"));
            case ("GET", "/cluster/ha/rules"):
                return (true, List(HaRules));
            case ("POST", "/cluster/ha/rules"):
                if (HaRules.ContainsKey(p["rule"]))
                {
                    throw new SimError(500, $"rule '{p["rule"]}' already defined");
                }

                HaRules[p["rule"]] = Object(p);
                return (true, null);
            case ("PUT", "/cluster/ha/rules/{rule}"):
                {
                    var rule = HaRules.GetValueOrDefault(v["rule"]) ?? throw new SimError(500, $"no such rule '{v["rule"]}'");
                    foreach (var (k, val) in p.Where(kv => kv.Key != "rule"))
                    {
                        rule[k] = val;
                    }

                    return (true, null);
                }

            case ("DELETE", "/cluster/ha/rules/{rule}"):
                return (true, Remove(HaRules, v["rule"], "rule"));
            case ("GET", "/cluster/replication"):
                return (true, List(Replication));
            case ("POST", "/cluster/replication"):
                Replication[p["id"]] = Object(p);
                return (true, null);
            case ("PUT", "/cluster/replication/{id}"):
                foreach (var (k, val) in p.Where(kv => kv.Key != "id"))
                {
                    (Replication.GetValueOrDefault(v["id"]) ?? throw new SimError(500, "no such job"))[k] = val;
                }

                return (true, null);
            case ("DELETE", "/cluster/replication/{id}"):
                return (true, Remove(Replication, v["id"], "replication job"));
            case ("GET", "/cluster/backup"):
                return (true, List(BackupJobs));
            case ("POST", "/cluster/backup"):
                {
                    var id = p.GetValueOrDefault("id") ?? $"backup-{Guid.NewGuid().ToString("N")[..8]}";
                    var job = Object(p);
                    job["id"] = id;
                    BackupJobs[id] = job;
                    return (true, null);
                }

            case ("PUT", "/cluster/backup/{id}"):
                foreach (var (k, val) in p.Where(kv => kv.Key != "id"))
                {
                    (BackupJobs.GetValueOrDefault(v["id"]) ?? throw new SimError(500, "no such job"))[k] = val;
                }

                return (true, null);
            case ("DELETE", "/cluster/backup/{id}"):
                return (true, Remove(BackupJobs, v["id"], "backup job"));
            default:
                return (false, null);
        }
    }

    private static JsonArray List(Dictionary<string, JsonObject> items) => new([.. items.Values.Select(o => (JsonNode)o.DeepClone())]);

    private static JsonObject Object(Dictionary<string, string> p) => new(p.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));

    private static JsonNode? Remove(Dictionary<string, JsonObject> items, string key, string what) =>
        items.Remove(key) ? null : throw new SimError(500, $"no such {what} '{key}'");
}
