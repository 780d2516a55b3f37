using Tappaas.Model.Diagnostics;
using Tappaas.Model.Site;

namespace Tappaas.Model.Tests.Validation;

public sealed class ModuleValidatorTests
{
    private const string ZonesJson = """
        {
          "mgmt": {"type": "Management", "state": "Manual", "typeId": 0, "subId": 0, "vlantag": 0, "ip": "10.0.0.0/24"},
          "srvHome": {"type": "Service", "state": "Active", "typeId": 2, "subId": 10, "vlantag": 210, "ip": "10.2.10.0/24"},
          "srv": {"type": "Service", "state": "Inactive", "typeId": 2, "subId": 0, "vlantag": 200, "ip": "10.2.0.0/24"},
          "dmz": {"type": "DMZ", "state": "Mandatory", "typeId": 6, "subId": 10, "vlantag": 610, "ip": "10.6.10.0/24"}
        }
        """;

    [Fact]
    public void Lenient_values_are_accepted_as_upstream_accepts_them()
    {
        var bag = Support.Validate("""
            {"vmid": "310", "memory": "4096", "cores": 4, "cloudInit": false, "sshAccess": "true", "autoInstall": "false",
             "image": 8080, "proxyPort": "8080", "-comment1": "ignored", "-comment2": {"any": "thing"},
             "dependsOn": ["cluster:vm", "firewall:proxy"]}
            """);
        Assert.Empty(bag);
    }

    [Fact]
    public void Pattern_violation_names_path_line_and_column()
    {
        var bag = Support.Validate("{\n  \"vmid\": 200,\n  \"image\": \"x\",\n  \"diskSize\": \"16GB\",\n  \"dependsOn\": [\"cluster:vm\"]\n}");
        var d = bag.Single(DiagnosticCodes.PatternMismatch);
        Assert.Equal(("$.diskSize", 4, 15), (d.Location!.JsonPath, d.Location.Line, d.Location.Column));
        Assert.Equal(Severity.Error, d.Severity);
    }

    [Fact]
    public void Every_problem_is_reported_in_one_run()
    {
        var bag = Support.Validate("""
            {"vmid": 5, "cores": "four", "memory": 100, "bios": "UEFI", "ostype": "linux", "vmname": "1bad",
             "mac0": "zz", "proxyPort": 70000, "dependsOn": ["cluster:vm", "firewall:proxy", "nocolon"], "provides": ["ok", "bad name"]}
            """);
        var codes = bag.Errors().Select(d => (d.Code, d.Location!.JsonPath)).ToList();
        Assert.Contains((DiagnosticCodes.BelowMinimum, "$.vmid"), codes);
        Assert.Contains((DiagnosticCodes.WrongType, "$.cores"), codes);
        Assert.Contains((DiagnosticCodes.BelowMinimum, "$.memory"), codes);
        Assert.Contains((DiagnosticCodes.NotAllowedValue, "$.bios"), codes);
        Assert.Contains((DiagnosticCodes.NotAllowedValue, "$.ostype"), codes);
        Assert.Contains((DiagnosticCodes.PatternMismatch, "$.vmname"), codes);
        Assert.Contains((DiagnosticCodes.PatternMismatch, "$.mac0"), codes);
        Assert.Contains((DiagnosticCodes.AboveMaximum, "$.proxyPort"), codes);
        Assert.Contains((DiagnosticCodes.InvalidItem, "$.dependsOn[2]"), codes);
        Assert.Contains((DiagnosticCodes.InvalidItem, "$.provides[1]"), codes);
        Assert.Contains((DiagnosticCodes.MissingRequired, "$"), codes);
        Assert.All(bag, d => Assert.False(string.IsNullOrEmpty(d.Hint)));
    }

    [Fact]
    public void Case_mistakes_get_a_suggestion()
    {
        var bag = Support.Validate("""{"bios": "OVMF", "Cores": 2}""");
        Assert.Contains("\"ovmf\"", bag.Single(DiagnosticCodes.NotAllowedValue).Hint, StringComparison.Ordinal);
        Assert.Contains("\"cores\"", bag.Single(DiagnosticCodes.UnknownField).Hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"dependsOn": ["cluster:vm"], "image": "x"}""", "vmid")]
    [InlineData("""{"dependsOn": ["cluster:lxc"], "vmid": 300}""", "image")]
    [InlineData("""{"dependsOn": ["firewall:dns"]}""", "ip")]
    public void Required_fields_follow_the_services_in_dependsOn(string json, string field)
    {
        var d = Support.Validate(json).Single(DiagnosticCodes.MissingRequired);
        Assert.Contains($"\"{field}\"", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Required_fields_are_not_required_without_the_service()
    {
        Assert.DoesNotContain(Support.Validate("""{"dependsOn": ["firewall:proxy"]}"""), d => d.Code == DiagnosticCodes.MissingRequired);
    }

    [Theory]
    [InlineData("iso")]
    [InlineData("img")]
    public void ImageLocation_is_required_for_iso_and_img(string type)
    {
        var d = Support.Validate($$"""{"vmid": 200, "image": "a.img", "imageType": "{{type}}", "dependsOn": ["cluster:vm"]}""").Single(DiagnosticCodes.ImageLocationRequired);
        Assert.Equal("$.imageType", d.Location!.JsonPath);
        Assert.DoesNotContain(Support.Validate("""{"vmid": 200, "image": "a", "imageType": "clone", "dependsOn": ["cluster:vm"]}"""), x => x.Code == DiagnosticCodes.ImageLocationRequired);
    }

    [Fact]
    public void HANode_must_differ_from_node()
    {
        Assert.Equal("$.HANode", Support.Validate("""{"node": "tappaas1", "HANode": "tappaas1"}""").Single(DiagnosticCodes.HaNodeEqualsNode).Location!.JsonPath);
        Assert.DoesNotContain(Support.Validate("""{"node": "tappaas1", "HANode": "tappaas2"}"""), d => d.Code == DiagnosticCodes.HaNodeEqualsNode);
    }

    [Fact]
    public void HANode_is_compared_with_the_sites_first_node_when_node_is_absent()
    {
        var site = new SiteConfiguration { File = "configuration.json", Nodes = [new SiteNode("tappaas1", "tappaas1", "10.0.0.10"), new SiteNode("tappaas2", "tappaas2", "10.0.0.11")] };
        var bag = Support.Validate("""{"HANode": "tappaas1"}""", site: site);
        Assert.Contains("first node", bag.Single(DiagnosticCodes.HaNodeEqualsNode).Message, StringComparison.Ordinal);
        Assert.Equal(Severity.Warning, Support.Validate("""{"HANode": "tappaas9"}""", site: site).Single(DiagnosticCodes.HaNodeUnknown).Severity);
    }

    [Theory]
    [InlineData("srvHome", null)]
    [InlineData("mgmt", null)]
    [InlineData("dmz", null)]
    [InlineData("srv", DiagnosticCodes.ZoneNotDeployable)]
    [InlineData("nowhere", DiagnosticCodes.ZoneUnknown)]
    public void Zones_must_exist_and_be_deployable(string zone, string? code)
    {
        var zones = Support.Zones(ZonesJson);
        var bag = Support.Validate($$"""{"zone0": "srvHome", "zone1": "{{zone}}"}""", zones);
        if (code is null)
        {
            Assert.Empty(bag);
        }
        else
        {
            Assert.Equal("$.zone1", bag.Single(code).Location!.JsonPath);
        }
    }

    [Fact]
    public void Vm_and_lxc_are_exclusive()
    {
        Assert.Single(Support.Validate("""{"vmid": 200, "image": "x", "dependsOn": ["cluster:vm", "cluster:lxc"]}"""), d => d.Code == DiagnosticCodes.VmAndLxc);
    }

    [Fact]
    public void Config_blocks_must_be_declared_dependencies()
    {
        var d = Support.Validate("""{"dependsOn": ["cluster:vm"], "vmid": 200, "image": "x", "config": {"firewall:proxy": {"proxyPort": 80}}}""").Single(DiagnosticCodes.ConfigKeyNotInDependsOn);
        Assert.Equal("$.config[\"firewall:proxy\"]", d.Location!.JsonPath);
    }

    [Fact]
    public void A_field_in_the_header_and_a_block_is_an_error()
    {
        var d = Support.Validate("""{"cores": 2, "vmid": 200, "image": "x", "dependsOn": ["cluster:vm"], "config": {"cluster:vm": {"cores": 4}}}""").Single(DiagnosticCodes.FieldInHeaderAndBlock);
        Assert.Equal("$.config[\"cluster:vm\"].cores", d.Location!.JsonPath);
    }

    [Fact]
    public void A_field_in_two_blocks_is_an_error()
    {
        var d = Support.Validate("""{"vmid": 200, "image": "x", "dependsOn": ["cluster:vm", "firewall:proxy"], "config": {"cluster:vm": {"proxyPort": 1}, "firewall:proxy": {"proxyPort": 2}}}""")
            .Single(DiagnosticCodes.FieldInTwoBlocks);
        Assert.Contains("firewall:proxy", d.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Firewall_rule_items_are_checked()
    {
        var bag = Support.Validate("""
            {"ports": [{"port": "8000:8010"}, {"port": 0}, {"protocol": "TCP"}],
             "ingress": [{"from": "home", "ports": [443]}, {"from": "dmz", "ports": [443], "description": "ok", "protocol": "tcp"}],
             "egress": [{"to": "internet", "ports": ["1:2", 70000], "description": "x"}],
             "aliases": {"ok_alias": {"type": "host", "addresses": ["10.0.0.1"], "description": "d"}, "bad": {"type": "dns", "addresses": "x"}}}
            """);
        var paths = bag.Where(d => d.Code == DiagnosticCodes.InvalidItem).Select(d => d.Location!.JsonPath).ToList();
        Assert.Equal(["$.aliases.bad", "$.aliases.bad.addresses", "$.aliases.bad.type", "$.egress[0].ports[1]", "$.ingress[0]", "$.ingress[1].protocol", "$.ports[1].port", "$.ports[2]"], paths.Order());
    }

    [Fact]
    public void Deprecated_boolean_discovery_is_a_warning()
    {
        Assert.Equal(Severity.Warning, Support.Validate("""{"discoveryMdns": true}""").Single(DiagnosticCodes.Deprecated).Severity);
    }

    [Fact]
    public void Nested_windows_and_identity_options_are_checked()
    {
        var bag = Support.Validate("""{"windows": {"enableRDP": "yes"}, "identity": {"scopes": "openid"}}""");
        Assert.Equal(["$.identity.scopes", "$.windows.enableRDP"], bag.Where(d => d.Code == DiagnosticCodes.InvalidItem).Select(d => d.Location!.JsonPath).Order());
    }

    [Fact]
    public void Update_and_autoscale_blocks_are_checked_with_their_paths()
    {
        var bag = Support.Validate("""
            {"workload": {"command": "/bin/true",
              "update": {"strategy": "blue-green", "maxParallel": 0, "canary": 65, "autoRevert": "maybe", "minHealthyTime": "soon", "drainTime": "2s", "maxSurge": -1, "surge": 1},
              "autoscale": {"min": 4, "max": 2, "metric": "memory", "target": 0, "scaleUpWindow": "30s", "scaleDownWindow": "later"}}}
            """);
        Assert.Equal(
            ["$.workload.autoscale.max", "$.workload.autoscale.metric", "$.workload.autoscale.scaleDownWindow", "$.workload.autoscale.target",
             "$.workload.update.autoRevert", "$.workload.update.canary", "$.workload.update.maxParallel", "$.workload.update.maxSurge", "$.workload.update.minHealthyTime", "$.workload.update.strategy"],
            bag.Errors().Select(d => d.Location!.JsonPath).Order());
        Assert.Contains(bag, d => d is { Severity: Severity.Warning, Code: DiagnosticCodes.UnknownField } && d.Location!.JsonPath == "$.workload.update.surge");
        Assert.Contains("autoscale.max (2) is below autoscale.min (4)", bag.Errors().Single(d => d.Location!.JsonPath == "$.workload.autoscale.max").Message, StringComparison.Ordinal);

        var good = Support.Validate("""
            {"workload": {"command": "/bin/true", "update": {"strategy": "recreate", "maxParallel": 2, "maxSurge": 0, "canary": 1, "autoRevert": false, "healthyDeadline": "30s"},
              "autoscale": {"min": 1, "max": 3, "metric": "rps", "target": 50}}}
            """);
        Assert.DoesNotContain(good, d => d.Location?.JsonPath.StartsWith("$.workload", StringComparison.Ordinal) == true);
    }
}
