using System.Net;
using System.Text.RegularExpressions;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;

namespace Tappaas.Model.Site;

/// <summary>Reads and validates a site's <c>configuration.json</c>.</summary>
public static partial class SiteConfigurationReader
{
    private static readonly string[] s_frequencies = ["none", "daily", "weekly", "monthly"];
    private static readonly string[] s_weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    /// <summary>Reads the configuration and reports every problem.</summary>
    public static SiteConfiguration Read(JObject root, DiagnosticSink sink)
    {
        var t = root["tappaas"] as JObject;
        if (t is null)
        {
            sink.Error(DiagnosticCodes.SiteFieldMissing, "$", root.Position, "the site configuration has no \"tappaas\" object",
                "add \"tappaas\": {\"version\", \"domain\", \"email\", \"nodeCount\", \"repositories\"}");
            t = JObject.Empty;
        }
        else
        {
            foreach (var required in new[] { "version", "domain", "email", "nodeCount", "repositories" })
            {
                if (!t.Has(required))
                {
                    sink.Error(DiagnosticCodes.SiteFieldMissing, "$.tappaas", t.Position, $"\"tappaas.{required}\" is missing", $"add \"{required}\" to the \"tappaas\" object");
                }
            }
        }

        foreach (var key in new[] { "domain", "email" })
        {
            if (Lenient.Text(t[key]) is { } v && v.StartsWith("CHANGE", StringComparison.Ordinal))
            {
                sink.Warning(DiagnosticCodes.SiteChangeMe, $"$.tappaas.{key}", t.Property(key)!.NamePosition,
                    $"tappaas.{key} still has the placeholder \"{v}\"", $"set your real {key}");
            }
        }

        var nodes = ReadNodes(root, sink);
        if (t["nodeCount"] is { } countNode)
        {
            var count = Lenient.Integer(countNode);
            if (count is null or < 1 or > 32)
            {
                sink.Error(DiagnosticCodes.SiteValueInvalid, "$.tappaas.nodeCount", t.Property("nodeCount")!.NamePosition,
                    $"tappaas.nodeCount is {countNode.ScalarText ?? countNode.KindName}, expected a number from 1 to 32", "set nodeCount to the number of nodes");
            }
            else if (count != nodes.Count && root["tappaas-nodes"] is JArray)
            {
                sink.Error(DiagnosticCodes.SiteNodeCount, "$.tappaas.nodeCount", t.Property("nodeCount")!.NamePosition,
                    $"tappaas.nodeCount is {count} but tappaas-nodes lists {nodes.Count} node(s)", "make nodeCount equal the number of entries in tappaas-nodes");
            }
        }

        CheckSchedule(t, sink);
        var retention = 5;
        if (t["snapshotRetention"] is { } r)
        {
            if (Lenient.Integer(r) is { } n and >= 1)
            {
                retention = (int)Math.Min(n, int.MaxValue);
            }
            else
            {
                sink.Error(DiagnosticCodes.SiteValueInvalid, "$.tappaas.snapshotRetention", t.Property("snapshotRetention")!.NamePosition,
                    $"tappaas.snapshotRetention is {r.ScalarText ?? r.KindName}, expected a whole number of at least 1", "write e.g. \"snapshotRetention\": 5");
            }
        }

        var backends = ReadBackends(t, sink);
        var instance = ReadInstance(t, sink);
        var backup = t["backup"] as JObject;
        var state = ReadState(t, sink);
        var proxmox = t["proxmox"] as JObject;
        return new SiteConfiguration
        {
            Repositories = [.. (t["repositories"] as JArray)?.Items.OfType<JObject>()
                .Where(r => Lenient.Text(r["path"]) is { Length: > 0 })
                .Select(r => new RepositorySetting(Lenient.Text(r["name"]), Lenient.Text(r["path"])!, Lenient.Text(r["url"]))) ?? []],
            Registries = [.. (t["registries"] as JArray)?.Items.OfType<JObject>()
                .Where(r => Lenient.Text(r["location"]) is { Length: > 0 })
                .Select(r => new RegistrySetting(Lenient.Text(r["location"])!, Lenient.Text(r["insecure"]) == "true")) ?? []],
            Backup = new SiteBackupSettings
            {
                Repository = Lenient.Text(backup?["repository"]), Offsite = Lenient.Text(backup?["offsite"]), Schedule = Lenient.Text(backup?["schedule"]),
                VerifySchedule = Lenient.Text(backup?["verifySchedule"]), Retention = backup?["retention"],
            },
            State = state,
            Proxmox = new ProxmoxSettings { Url = Lenient.Text(proxmox?["url"]), TokenId = Lenient.Text(proxmox?["tokenId"]), Fingerprint = Lenient.Text(proxmox?["fingerprint"]) },
            EmbeddedInstance = instance,
            Backends = backends,
            File = sink.File,
            Version = Lenient.Text(t["version"]),
            Domain = Lenient.Text(t["domain"]),
            Email = Lenient.Text(t["email"]),
            Nodes = nodes,
            SnapshotRetention = retention,
            AutomaticReboot = Lenient.Text(t["automaticReboot"]) != "false",
        };
    }

    /// <summary>Backend names the platform knows.</summary>
    public static IReadOnlyList<string> KnownBackends { get; } = ["hooks", "fake", "proxmox", "embedded"];

    private static Dictionary<string, string> ReadBackends(JObject t, DiagnosticSink sink)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (t["backends"] is not { } node)
        {
            return result;
        }

        if (node is not JObject o)
        {
            sink.Error(DiagnosticCodes.SiteValueInvalid, "$.tappaas.backends", t.Property("backends")!.NamePosition,
                "tappaas.backends must be an object of service → backend", "write e.g. \"backends\": {\"cluster:*\": \"fake\"}");
            return result;
        }

        foreach (var p in o.Properties)
        {
            var path = JsonPathText.Member("$.tappaas.backends", p.Name);
            if (p.Name != "*" && !BackendKey().IsMatch(p.Name))
            {
                sink.Error(DiagnosticCodes.SiteValueInvalid, path, p.NamePosition, $"backend key \"{p.Name}\" is not module:service, module:* or *", "write e.g. \"cluster:vm\"");
            }
            else if (p.Value is not JString { Value: var backend } || !KnownBackends.Contains(backend))
            {
                sink.Error(DiagnosticCodes.SiteValueInvalid, path, p.NamePosition, $"backend for \"{p.Name}\" is {p.Value.ScalarText ?? p.Value.KindName}, not a known backend",
                    $"use one of {string.Join(", ", KnownBackends)}");
            }
            else
            {
                result[p.Name] = backend;
            }
        }

        return result;
    }

    private static StateSettings ReadState(JObject t, DiagnosticSink sink)
    {
        if (t["state"] is not { } node)
        {
            return new StateSettings();
        }

        if (node is not JObject o)
        {
            sink.Error(DiagnosticCodes.SiteValueInvalid, "$.tappaas.state", node.Position, "tappaas.state must be an object",
                "write e.g. \"state\": {\"store\": \"postgresql\", \"connectionSecret\": \"state-db\"}");
            return new StateSettings();
        }

        var store = Lenient.Text(o["store"]) ?? "sqlite";
        if (!StateSettings.Stores.Contains(store))
        {
            sink.Error(DiagnosticCodes.SiteValueInvalid, "$.tappaas.state.store", (o["store"] ?? o).Position,
                $"tappaas.state.store is \"{store}\", not one of {string.Join(", ", StateSettings.Stores)}", "write \"sqlite\" (the default) or \"postgresql\"");
            store = "sqlite";
        }

        var secret = Lenient.Text(o["connectionSecret"]);
        if (store == "postgresql" && secret is null)
        {
            sink.Error(DiagnosticCodes.SiteFieldMissing, "$.tappaas.state", o.Position, "a PostgreSQL state store needs \"connectionSecret\"",
                "store the connection string as a site secret (printf %s \"Host=…;Username=…;Password=…;Database=tappaas\" | tappaas secret set state-db) and name it here");
        }

        return new StateSettings { Store = store, ConnectionSecret = secret };
    }

    private static string? ReadInstance(JObject t, DiagnosticSink sink)
    {
        if ((t["embedded"] as JObject)?["instance"] is not { } node)
        {
            return null;
        }

        if (node is JString { Value: var v } && Instance().IsMatch(v))
        {
            return v;
        }

        sink.Error(DiagnosticCodes.SiteValueInvalid, "$.tappaas.embedded.instance", node.Position,
            $"tappaas.embedded.instance is {node.Display}, expected 1 to 4 lowercase letters or digits",
            "write e.g. \"instance\": \"b2\" (it separates the host objects of two sites on one host), or remove it");
        return null;
    }

    [GeneratedRegex("^[a-z0-9]{1,4}$")]
    private static partial Regex Instance();

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9-]*:([a-zA-Z][a-zA-Z0-9-]*|\\*)$")]
    private static partial Regex BackendKey();

    private static List<SiteNode> ReadNodes(JObject root, DiagnosticSink sink)
    {
        var nodes = new List<SiteNode>();
        if (root["tappaas-nodes"] is not JArray array)
        {
            sink.Error(DiagnosticCodes.SiteFieldMissing, "$", root.Position, "\"tappaas-nodes\" is missing or not an array",
                "add \"tappaas-nodes\": [{\"hostname\": \"tappaas1\", \"ip\": \"10.0.0.10\"}]");
            return nodes;
        }

        var hostnames = new HashSet<string>(StringComparer.Ordinal);
        var ips = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < array.Items.Count; i++)
        {
            var path = $"$[\"tappaas-nodes\"][{i}]";
            if (array.Items[i] is not JObject n || Lenient.Text(n["hostname"]) is not { Length: > 0 } host)
            {
                sink.Error(DiagnosticCodes.SiteFieldMissing, path, array.Items[i].Position, $"tappaas-nodes[{i}] has no \"hostname\"", "add \"hostname\": \"tappaas1\"");
                continue;
            }

            if (!hostnames.Add(host))
            {
                sink.Error(DiagnosticCodes.SiteDuplicateNode, path, n.Position, $"node \"{host}\" is listed twice", "remove the duplicate entry");
            }

            var dns = Lenient.Text(n["dns-hostname"]);
            if (dns is { Length: 0 })
            {
                sink.Error(DiagnosticCodes.SiteValueInvalid, path + "[\"dns-hostname\"]", n.Property("dns-hostname")!.NamePosition,
                    $"node \"{host}\" has an empty dns-hostname", "remove dns-hostname or give it a value");
            }

            var ip = Lenient.Text(n["ip"]);
            if (ip == "unknown")
            {
                sink.Warning(DiagnosticCodes.SiteValueInvalid, path + ".ip", n.Property("ip")!.NamePosition, $"node \"{host}\" has ip \"unknown\"", "set the node's management address");
            }
            else if (ip is not null && (!IPAddress.TryParse(ip, out var addr) || addr.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || !Ipv4().IsMatch(ip)))
            {
                sink.Error(DiagnosticCodes.SiteValueInvalid, path + ".ip", n.Property("ip")!.NamePosition, $"node \"{host}\" has ip \"{ip}\", which is not an IPv4 address", "write it like \"10.0.0.10\"");
            }
            else if (ip is not null && !ips.Add(ip))
            {
                sink.Error(DiagnosticCodes.SiteDuplicateNode, path + ".ip", n.Property("ip")!.NamePosition, $"address {ip} is used by two nodes", "give each node its own address");
            }

            nodes.Add(new SiteNode(host, dns is { Length: > 0 } ? dns : host, ip));
        }

        return nodes;
    }

    private static void CheckSchedule(JObject t, DiagnosticSink sink)
    {
        if (t["updateSchedule"] is not { } node)
        {
            return;
        }

        var position = t.Property("updateSchedule")!.NamePosition;
        if (node is not JArray { Items.Count: 3 } a)
        {
            sink.Error(DiagnosticCodes.SiteValueInvalid, "$.tappaas.updateSchedule", position,
                "tappaas.updateSchedule must be [frequency, weekday, hour]", "write e.g. [\"monthly\", \"Thursday\", 2]");
            return;
        }

        var freq = Lenient.Text(a.Items[0]);
        if (freq is null || !s_frequencies.Contains(freq))
        {
            sink.Error(DiagnosticCodes.SiteValueInvalid, "$.tappaas.updateSchedule[0]", a.Items[0].Position,
                $"update frequency \"{freq}\" is not one of none, daily, weekly, monthly", "use none, daily, weekly or monthly");
        }

        if (freq is "weekly" or "monthly" && (Lenient.Text(a.Items[1]) is not { } day || !s_weekdays.Contains(day)))
        {
            sink.Error(DiagnosticCodes.SiteValueInvalid, "$.tappaas.updateSchedule[1]", a.Items[1].Position,
                $"update weekday \"{a.Items[1].ScalarText}\" is not a day of the week", "write e.g. \"Thursday\"");
        }

        if (Lenient.Integer(a.Items[2]) is not (>= 0 and <= 23))
        {
            sink.Error(DiagnosticCodes.SiteValueInvalid, "$.tappaas.updateSchedule[2]", a.Items[2].Position,
                $"update hour \"{a.Items[2].ScalarText}\" is not an hour from 0 to 23", "write e.g. 2");
        }
    }

    [GeneratedRegex("^([0-9]{1,3}\\.){3}[0-9]{1,3}$")]
    private static partial Regex Ipv4();
}
