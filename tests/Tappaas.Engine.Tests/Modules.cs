using System.Text;
using Tappaas.Abstractions.State;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;

namespace Tappaas.Engine.Tests;

internal static class Modules
{
    public static ModuleDefinition Parse(string name, string json) =>
        new(name, name + ".json", (JObject)JsonSource.Parse(name + ".json", Encoding.UTF8.GetBytes(json)).Root!);

    public static JObject Obj(string json) => (JObject)JsonSource.Parse("x.json", Encoding.UTF8.GetBytes(json)).Root!;

    public static InstalledModule Record(ModuleDefinition m, int revision = 1, string status = "installed") =>
        new(m.Name, revision, JsonText.Write(m.ToCanonical()), status, DateTimeOffset.UnixEpoch);

    public static ModuleDefinition Cluster => Parse("cluster", """{"description": "c", "version": "1.0", "provides": ["vm", "lxc"]}""");

    public static ModuleDefinition Firewall => Parse("firewall", """{"vmid": 110, "image": "fw", "dependsOn": ["cluster:vm", "firewall:proxy"], "provides": ["proxy", "rules"]}""");

    public static ModuleDefinition App(string extra = "") =>
        Parse("app", $$"""{"vmid": 300, "image": "8080", "cores": 2 {{extra}}, "dependsOn": ["firewall:proxy", "cluster:vm"], "proxyPort": 8080}""");
}
