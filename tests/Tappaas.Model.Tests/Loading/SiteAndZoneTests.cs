using System.Text;
using Tappaas.Model.Catalog;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;
using Tappaas.Model.Site;
using Tappaas.Model.Zones;

namespace Tappaas.Model.Tests.Loading;

public sealed class SiteAndZoneTests
{
    private static (T Value, DiagnosticBag Bag) Read<T>(string json, Func<JObject, DiagnosticSink, T> reader)
    {
        var bag = new DiagnosticBag();
        var root = (JObject)JsonSource.Parse("f.json", Encoding.UTF8.GetBytes(json)).Root!;
        return (reader(root, new DiagnosticSink("f.json", bag)), bag);
    }

    [Fact]
    public void Zone_formulas_and_states()
    {
        var (zones, bag) = Read("""
            {"_README": {"x": 1},
             "srvHome": {"type": "Service", "state": "Active", "typeId": "2", "subId": 10, "vlantag": 210, "ip": "10.2.10.0/24", "access-to": ["internet", "nowhere"]},
             "bad-name": {"type": "Service", "state": "Sleeping", "typeId": 3, "subId": 5, "vlantag": 210, "ip": "10.9.9.0/24", "bridge": "LAN", "DHCP-start": 200, "DHCP-end": 100}}
            """, ZonesReader.Read);
        Assert.Equal(ZoneState.Active, zones.Find("srvHome")!.State);
        Assert.Equal(2, zones.Find("srvHome")!.TypeId);
        var codes = bag.Select(d => d.Code).ToList();
        Assert.Contains(DiagnosticCodes.ZoneNameInvalid, codes);
        Assert.Contains(DiagnosticCodes.ZoneStateInvalid, codes);
        Assert.Contains(DiagnosticCodes.ZoneTypeIdMismatch, codes);
        Assert.Contains(DiagnosticCodes.ZoneVlanFormula, codes);
        Assert.Contains(DiagnosticCodes.ZoneIpFormula, codes);
        Assert.Contains(DiagnosticCodes.ZoneDuplicateVlan, codes);
        Assert.Contains(DiagnosticCodes.ZoneReferenceUnknown, codes);
        Assert.Equal(1, bag.Count(d => d.Code == DiagnosticCodes.ZoneValueInvalid)); // the DHCP range; "LAN" is lan, as upstream lower-cases it
        Assert.Equal("lan", zones.Find("bad-name")!.Bridge);
    }

    [Theory]
    [InlineData(ZoneState.Active, true)]
    [InlineData(ZoneState.Mandatory, true)]
    [InlineData(ZoneState.Manual, true)]
    [InlineData(ZoneState.Inactive, false)]
    [InlineData(ZoneState.Disabled, false)]
    public void Deployable_states(ZoneState state, bool deployable) => Assert.Equal(deployable, state.IsDeployable());

    [Fact]
    public void Site_configuration_rules()
    {
        var (site, bag) = Read("""
            {"tappaas": {"version": "0.5", "domain": "CHANGE-domain.tld", "email": "a@b.c", "nodeCount": 3, "repositories": [],
                         "updateSchedule": ["weekly", "Someday", 25], "snapshotRetention": 0},
             "tappaas-nodes": [{"hostname": "tappaas1", "ip": "10.0.0.10"}, {"hostname": "tappaas2", "ip": "10.0.0.10"}]}
            """, SiteConfigurationReader.Read);
        Assert.Equal("tappaas1", site.DefaultNode);
        var codes = bag.Select(d => (d.Code, d.Severity)).ToList();
        Assert.Contains((DiagnosticCodes.SiteChangeMe, Severity.Warning), codes);
        Assert.Contains((DiagnosticCodes.SiteNodeCount, Severity.Error), codes);
        Assert.Contains((DiagnosticCodes.SiteDuplicateNode, Severity.Error), codes);
        Assert.Equal(3, bag.Count(d => d.Code == DiagnosticCodes.SiteValueInvalid)); // weekday, hour, retention
    }

    [Fact]
    public void Catalog_rules()
    {
        var (catalog, bag) = Read("""
            {"foundationModules": [{"moduleName": "a", "vmid": 110, "moduleJson": "a.json", "stack": "foundation", "category": "net", "status": "stable"}],
             "applicationModules": [{"moduleName": "b", "vmid": 110, "moduleJson": "missing.json", "stack": "fun", "category": "Bad", "status": "stable", "extra": 1}],
             "testModules": [{"moduleName": "t", "vmid": null, "moduleJson": "t.json"}]}
            """, (root, sink) => CatalogReader.Read(root, sink, rel => rel != "missing.json"));
        Assert.Equal(3, catalog.Entries.Count);
        var codes = bag.Select(d => d.Code).ToList();
        Assert.Contains(DiagnosticCodes.CatalogDuplicateVmid, codes);
        Assert.Contains(DiagnosticCodes.CatalogDanglingPath, codes);
        Assert.Contains(DiagnosticCodes.CatalogUnknownField, codes);
        Assert.Equal(3, bag.Count(d => d.Code == DiagnosticCodes.CatalogValueInvalid)); // stack, category, null vmid in testModules
    }
}
