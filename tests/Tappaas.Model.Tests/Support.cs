using System.Text;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Model.Validation;
using Tappaas.Model.Zones;

namespace Tappaas.Model.Tests;

internal static class Support
{
    public static ModuleDefinition Module(string json, string name = "demo")
    {
        var parsed = JsonSource.Parse($"{name}.json", Encoding.UTF8.GetBytes(json));
        Assert.DoesNotContain(parsed.Diagnostics, d => d.Severity == Severity.Error);
        return new ModuleDefinition(name, $"{name}.json", (JObject)parsed.Root!);
    }

    public static DiagnosticBag Validate(string json, ZoneSet? zones = null, Site.SiteConfiguration? site = null)
    {
        var bag = new DiagnosticBag();
        ModuleValidator.Validate(Module(json), new ValidationContext(zones, site), bag);
        return bag;
    }

    public static ZoneSet Zones(string json)
    {
        var bag = new DiagnosticBag();
        var parsed = JsonSource.Parse("zones.json", Encoding.UTF8.GetBytes(json));
        return ZonesReader.Read((JObject)parsed.Root!, new DiagnosticSink("zones.json", bag));
    }

    public static IEnumerable<Diagnostic> Errors(this IEnumerable<Diagnostic> bag) => bag.Where(d => d.Severity == Severity.Error);

    public static Diagnostic Single(this IEnumerable<Diagnostic> bag, string code) => Assert.Single(bag, d => d.Code == code);
}
