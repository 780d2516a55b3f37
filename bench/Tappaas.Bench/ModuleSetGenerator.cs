using System.Globalization;
using System.Text;

namespace Tappaas.Bench;

/// <summary>Writes a realistic tree of module files: foundation providers and apps that depend on them and on each other.</summary>
internal static class ModuleSetGenerator
{
    private static readonly string[] s_zones = ["srvHome", "srvWork", "dmz", "home"];

    public static void Write(string root, int count)
    {
        var random = new Random(42);
        File.WriteAllText(Path.Combine(root, "zones.json"), """
            {
              "mgmt": {"type": "Management", "state": "Manual", "typeId": 0, "subId": 0, "vlantag": 0, "ip": "10.0.0.0/24", "access-to": ["internet", "srvHome", "srvWork", "dmz", "home"]},
              "srvHome": {"type": "Service", "state": "Active", "typeId": 2, "subId": 10, "vlantag": 210, "ip": "10.2.10.0/24", "access-to": ["internet", "dmz"]},
              "srvWork": {"type": "Service", "state": "Active", "typeId": 2, "subId": 20, "vlantag": 220, "ip": "10.2.20.0/24", "access-to": ["internet", "dmz"], "pinhole-allowed-from": ["dmz"]},
              "home": {"type": "Client", "state": "Active", "typeId": 3, "subId": 10, "vlantag": 310, "ip": "10.3.10.0/24", "access-to": ["internet", "srvHome"]},
              "dmz": {"type": "DMZ", "state": "Mandatory", "typeId": 6, "subId": 10, "vlantag": 610, "ip": "10.6.10.0/24", "access-to": ["internet"]}
            }
            """);
        Module(root, "cluster", """{"description": "cluster", "version": "0.8", "dependsOn": [], "provides": ["vm", "lxc", "ha"]}""");
        Module(root, "templates", """{"description": "templates", "version": "1.1", "provides": ["nixos", "debian"]}""");
        Module(root, "backup", """{"description": "backup", "version": "1.0", "node": "tappaas3", "provides": ["vm"]}""");
        Module(root, "firewall", """{"description": "fw", "version": "1.0", "vmid": 110, "zone0": "mgmt", "dependsOn": ["cluster:vm", "firewall:proxy"], "provides": ["proxy", "rules", "dns"], "config": {"cluster:vm": {"image": "fw.img", "imageType": "img", "imageLocation": "https://example.org/"}}}""");
        Module(root, "identity", """{"description": "id", "version": "1.0", "vmid": 140, "zone0": "srvHome", "dependsOn": ["cluster:vm", "templates:nixos", "firewall:proxy"], "provides": ["identity"], "config": {"cluster:vm": {"image": "8080"}}}""");

        var apps = new List<string>();
        for (var i = 0; apps.Count + 5 < count; i++)
        {
            var name = $"app{i:D4}";
            var deps = new List<string> { "cluster:vm", "templates:nixos", "backup:vm", "firewall:proxy", "firewall:rules" };
            if (random.NextDouble() < 0.3)
            {
                deps.Add("identity:identity");
            }

            for (var k = 0; k < 2 && apps.Count > 0; k++)
            {
                if (random.NextDouble() < 0.35)
                {
                    deps.Add($"{apps[random.Next(apps.Count)]}:api");
                }
            }

            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture, $$"""{"description": "generated app {{i}}", "version": "0.{{i % 9}}.0", "vmname": "{{name}}", "vmid": {{1000 + i * 10}}, "vmtag": "TAPPaaS,App", "node": "tappaas{{1 + (i % 3)}}", "zone0": "{{s_zones[i % s_zones.Length]}}", """);
            sb.Append("\"dependsOn\": [").Append(string.Join(", ", deps.Distinct().Select(d => $"\"{d}\""))).Append("], \"provides\": [\"api\"], ");
            sb.Append("\"ports\": [{\"port\": 8080, \"protocol\": \"TCP\", \"description\": \"web\"}], ");
            sb.Append("\"ingress\": [{\"from\": \"dmz\", \"ports\": [8080], \"description\": \"proxy\"}], ");
            sb.Append(CultureInfo.InvariantCulture, $"\"config\": {{\"cluster:vm\": {{\"cores\": {1 + i % 4}, \"memory\": \"{2048 * (1 + i % 3)}\", \"diskSize\": \"{8 * (1 + i % 4)}G\", ");
            sb.Append("\"storage\": \"tanka1\", \"imageType\": \"clone\", \"image\": \"8080\"}, ");
            sb.Append("\"firewall:proxy\": {\"proxyPort\": 8080, \"proxyAllowedZones\": [\"home\", \"srvWork\"]}}}");
            Module(root, name, sb.ToString());
            apps.Add(name);
        }
    }

    private static void Module(string root, string name, string json)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, name + ".json"), json);
    }
}
