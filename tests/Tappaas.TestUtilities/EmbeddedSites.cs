using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Tappaas.TestUtilities;

/// <summary>
/// Keeps an embedded test site's host objects apart from every other test's: its own instance tag (bridges, nftables
/// table, DNS server) and its zones moved to subnets of their own (10.a.b.0/24 becomes 10.(a+offset).b.0/24).
/// </summary>
public static partial class EmbeddedSites
{
    public static void Separate(string site, string instance, int offset)
    {
        var configuration = Path.Combine(site, "config", "configuration.json");
        var config = JsonNode.Parse(File.ReadAllText(configuration))!;
        config["tappaas"]!["embedded"] = new JsonObject { ["instance"] = instance };
        File.WriteAllText(configuration, config.ToJsonString());
        var zones = Path.Combine(site, "config", "zones.json");
        File.WriteAllText(zones, Subnet().Replace(File.ReadAllText(zones), m => $"\"10.{int.Parse(m.Groups[1].Value) + offset}.{m.Groups[2].Value}.0/24\""));
    }

    [GeneratedRegex("\"10\\.([0-9]+)\\.([0-9]+)\\.0/24\"")]
    private static partial Regex Subnet();
}
