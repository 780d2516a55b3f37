using System.Text;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Model.Zones;
using Tappaas.Platform.Embedded.Network.Firewall;
using Tappaas.TestUtilities;

namespace Tappaas.Platform.Embedded.Tests;

/// <summary>The compiler alone: upstream's pinhole policy, declaration errors with their paths, and a ruleset nft accepts.</summary>
public sealed class FirewallCompilerTests
{
    private static readonly ZoneSet s_zones = ZonesReader.Read((JObject)JsonSource.Parse("zones.json", Encoding.UTF8.GetBytes("""
        {
          "home":  {"type": "Client", "state": "Active", "ip": "10.3.10.0/24", "access-to": ["internet", "srvHome"], "pinhole-allowed-from": []},
          "srvHome": {"type": "Service", "state": "Active", "ip": "10.2.10.0/24", "access-to": ["internet"], "pinhole-allowed-from": ["dmz"]},
          "iotCloud": {"type": "IoT", "state": "Active", "ip": "10.4.20.0/24", "access-to": ["internet"], "pinhole-allowed-from": ["srvHome"]},
          "dmz": {"type": "DMZ", "state": "Mandatory", "ip": "10.6.0.0/24", "access-to": ["internet"], "pinhole-allowed-from": ["internet"]},
          "srv": {"type": "Service", "state": "Inactive", "ip": "10.2.0.0/24", "access-to": ["internet"], "pinhole-allowed-from": []}
        }
        """)).Root!, new DiagnosticSink("zones.json", new DiagnosticBag()));

    private static ModuleDefinition M(string name, string zone, string body) =>
        new(name, name + ".json", (JObject)JsonSource.Parse(name, Encoding.UTF8.GetBytes($$"""{"zone0": "{{zone}}", {{body}}}""")).Root!);

    private static readonly Dictionary<string, IReadOnlyList<string>> s_addresses = new()
    {
        ["ha"] = ["10.2.10.50"], ["deconz"] = ["10.4.20.50"], ["turn"] = ["10.6.0.50"], ["tv"] = ["10.3.10.50"],
    };

    private static FirewallPolicy Compile(params ModuleDefinition[] modules) =>
        FirewallCompiler.Compile(new FirewallInput(s_zones, modules, s_addresses,
            (module, service) => module == "deconz" && service == "zigbee" ? [new PinholePort("8080", "tcp"), new PinholePort("8443", "tcp")] : null));

    [Fact]
    public void Zone_baseline_follows_access_to_and_skips_inactive_zones()
    {
        var policy = Compile();
        Assert.Contains(policy.ZoneRules, r => r.Comment == "Zone home -> srvHome");
        Assert.Contains(policy.ZoneRules, r => r.Comment == "Zone home -> internet" && r.Destination is Peer.Internet);
        Assert.DoesNotContain(policy.ZoneRules, r => r.Comment.StartsWith("Zone srv ", StringComparison.Ordinal));
        Assert.Equal(["dmz", "home", "iotCloud", "srvHome"], policy.Masquerades.Select(m => m.Zone));
    }

    [Fact]
    public void A_consumer_gets_the_providers_pinhole_ports_when_the_provider_zone_allows_its_zone()
    {
        var deconz = M("deconz", "iotCloud", "\"dependsOn\": [\"cluster:vm\"], \"provides\": [\"zigbee\"]");
        var ha = M("ha", "srvHome", "\"dependsOn\": [\"cluster:vm\", \"firewall:rules\", \"deconz:zigbee\"]");
        var policy = Compile(deconz, ha);
        var rules = policy.ModuleRules.Where(r => r.Comment.StartsWith("tappaas-svcdep:ha:zigbee:deconz:", StringComparison.Ordinal)).ToList();
        Assert.Equal(["8080", "8443"], rules.Select(r => r.Ports!.Ports[0]));
        Assert.All(rules, r => Assert.Equal(["10.2.10.50"], ((Peer.Addresses)r.Source).List));
        Assert.All(rules, r => Assert.Equal(["10.4.20.50"], ((Peer.Addresses)r.Destination).List));

        // The same consumer in a zone the provider's zone does not accept pinholes from: a warning, no rule.
        var tv = M("tv", "home", "\"dependsOn\": [\"cluster:vm\", \"firewall:rules\", \"deconz:zigbee\"]");
        var denied = Compile(deconz, tv);
        Assert.DoesNotContain(denied.ModuleRules, r => r.Comment.Contains("svcdep:tv", StringComparison.Ordinal));
        var warning = Assert.Single(denied.IssuesOf("tv"));
        Assert.False(warning.IsError);
        Assert.Contains("pinhole-allowed-from", warning.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Internet_ingress_is_forwarded_and_ports_must_be_declared()
    {
        var turn = M("turn", "dmz", """
            "dependsOn": ["cluster:vm", "firewall:rules"],
            "ports": [{"port": 3478, "protocol": "UDP", "description": "turn"}, {"port": "49152:49200", "protocol": "UDP", "description": "relay"}],
            "ingress": [{"from": "internet", "ports": [3478], "protocol": "UDP", "description": "turn"},
                        {"from": "internet", "ports": ["49160:49170"], "protocol": "UDP", "description": "relay"},
                        {"from": "internet", "ports": [5349], "description": "not declared"}]
            """);
        var policy = Compile(turn);
        Assert.Equal(["tappaas-module:turn:ingress:internet:3478/UDP", "tappaas-module:turn:ingress:internet:49160-49170/UDP"], policy.ModuleRules.Select(r => r.Comment));
        Assert.Equal([("udp", "3478", "10.6.0.50"), ("udp", "49160-49170", "10.6.0.50")], policy.Forwards.Select(f => (f.Protocol, f.Port, f.Address)));
        var error = Assert.Single(policy.IssuesOf("turn"));
        Assert.Equal("$.ingress[2].ports", error.Path);
        Assert.Contains("5349", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aliases_egress_and_unknown_peers()
    {
        var ha = M("ha", "srvHome", """
            "dependsOn": ["cluster:vm", "firewall:rules"],
            "aliases": {"admins": {"type": "host", "addresses": ["10.3.10.7"], "description": "admins"}},
            "egress": [{"to": "alias:admins", "ports": [22], "description": "ssh"},
                       {"to": "nowhere", "ports": [80], "description": "typo"},
                       {"to": "alias:missing", "ports": [80], "description": "typo"}]
            """);
        var policy = Compile(ha);
        var rule = Assert.Single(policy.ModuleRules);
        Assert.Equal("tappaas-module:ha:egress:alias:admins:22", rule.Comment);
        Assert.Equal(["10.3.10.7"], ((Peer.Addresses)rule.Destination).List);
        Assert.Equal(["$.egress[1].to", "$.egress[2].to"], policy.IssuesOf("ha").Select(i => i.Path));
        Assert.All(policy.IssuesOf("ha"), i => Assert.True(i.IsError));
    }

    [Fact]
    public void Modules_without_firewall_rules_get_no_module_rules()
    {
        var ha = M("ha", "srvHome", """
            "dependsOn": ["cluster:vm"], "ports": [{"port": 80, "description": "web"}], "ingress": [{"from": "dmz", "ports": [80], "description": "proxy"}]
            """);
        Assert.Empty(Compile(ha).ModuleRules);
    }

    [Fact]
    public async Task The_rendered_ruleset_is_accepted_by_nft()
    {
        if (EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        var turn = M("turn", "dmz", """
            "dependsOn": ["cluster:vm", "firewall:rules", "deconz:zigbee"],
            "ports": [{"port": 3478, "protocol": "TCP/UDP", "description": "turn"}],
            "ingress": [{"from": "internet", "ports": [3478], "protocol": "TCP/UDP", "description": "turn"}],
            "egress": [{"to": "home", "ports": [443], "description": "callback"}, {"to": "internet", "ports": ["1000:2000"], "description": "out"}]
            """);
        var deconz = M("deconz", "iotCloud", "\"dependsOn\": [\"cluster:vm\"]");
        var text = NftRenderer.Render(Compile(turn, deconz), "tappaas_chk", "tqchk-*", [443]);
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "ruleset.nft");
        await File.WriteAllTextAsync(file, text, TestContext.Current.CancellationToken);
        var (code, output) = await ProcessRunner.RunAsync("nft", ["-c", "-f", file]);
        Assert.True(code == 0, output + "\n" + text);
        Assert.Contains("tappaas-module:turn:ingress:internet:3478/UDP", text, StringComparison.Ordinal);
        Assert.Contains("dnat ip to 10.6.0.50", text, StringComparison.Ordinal);
    }
}
