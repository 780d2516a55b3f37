using System.Text;
using System.Text.Json.Nodes;
using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Site;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.TestUtilities;

namespace Tappaas.Platform.Embedded.Tests;

/// <summary>
/// A site with its own instance tag and three test zones on private subnets, so its bridges, nftables table and DNS
/// server are its own: <c>za</c> may reach <c>zb</c> and the internet; <c>zb</c> reaches nothing but accepts pinholes from
/// <c>zc</c>; <c>zc</c> reaches nothing. Modules are recorded in the site's config folder as the engine would.
/// </summary>
internal sealed class NetworkHarness : IAsyncDisposable
{
    private readonly TempDir _dir = new("/var/tmp");
    private readonly List<ModuleDefinition> _modules = [];

    public NetworkHarness(string instance, int subnet)
    {
        Subnet = subnet;
        Layout = new SiteLayout(Path.Combine(_dir.Path, "site"));
        SiteInitializer.Initialize(Layout, "example.org", new Dictionary<string, string>(), []);
        var config = JsonNode.Parse(File.ReadAllText(Layout.ConfigurationFile))!;
        config["tappaas"]!["embedded"] = new JsonObject { ["instance"] = instance };
        File.WriteAllText(Layout.ConfigurationFile, config.ToJsonString());
        File.WriteAllText(Layout.ZonesFile, $$"""
            {
              "za": {"type": "Service", "state": "Active", "typeId": "2", "subId": "1", "vlantag": 0, "ip": "10.{{subnet}}.1.0/24", "bridge": "lan",
                     "access-to": ["zb", "internet"], "pinhole-allowed-from": [], "description": "a"},
              "zb": {"type": "Service", "state": "Active", "typeId": "2", "subId": "2", "vlantag": 0, "ip": "10.{{subnet}}.2.0/24", "bridge": "lan",
                     "access-to": [], "pinhole-allowed-from": ["zc"], "description": "b"},
              "zc": {"type": "Service", "state": "Active", "typeId": "2", "subId": "3", "vlantag": 0, "ip": "10.{{subnet}}.3.0/24", "bridge": "lan",
                     "access-to": [], "pinhole-allowed-from": [], "description": "c"}
            }
            """);
        Folder = Path.Combine(_dir.Path, "modules");
        Directory.CreateDirectory(Folder);
        Platform = new EmbeddedPlatform(Layout.Root, isolate: true, TimeProvider.System, name => Directory.Exists(Path.Combine(Folder, name)) ? Path.Combine(Folder, name) : null);
    }

    public int Subnet { get; }

    public SiteLayout Layout { get; }

    public string Folder { get; }

    public EmbeddedPlatform Platform { get; }

    /// <summary>A module with a web workload on 8080 (and 9090), in <paramref name="zone"/>, with extra top-level fields.</summary>
    public static ModuleDefinition Module(string name, string zone, string extra = "", string deps = "\"cluster:vm\", \"firewall:rules\", \"firewall:dns\"") =>
        new(name, name + ".json", (JObject)JsonSource.Parse(name, Encoding.UTF8.GetBytes(
            "{\"vmid\": 400, \"vmname\": \"" + name + "\", \"zone0\": \"" + zone + "\", \"dependsOn\": [" + deps + "]" + extra +
            ", \"config\": {\"cluster:vm\": {\"image\": \"x\", \"cores\": 1, \"memory\": 256, \"workload\": " +
            "{\"command\": \"/bin/sh\", \"args\": [\"-c\", \"/usr/bin/python3 -m http.server 9090 --bind 0.0.0.0 & exec /usr/bin/python3 -m http.server 8080 --bind 0.0.0.0\"], " +
            "\"ports\": {\"http\": 8080}, \"health\": {\"readiness\": {\"tcp\": {\"port\": \"http\"}, \"interval\": \"100ms\"}}, \"stopGrace\": \"1s\"}}}}")).Root!);

    public ProviderRequest Request(ModuleDefinition module, string service) => new(module, ServiceRef.Parse(service), Folder, Layout.Root, HookFlags.None);

    /// <summary>Installs the module's guests, records it, then its rules and DNS name; returns the failures.</summary>
    public async Task<string?> InstallAsync(ModuleDefinition module, CancellationToken ct)
    {
        lock (_modules)
        {
            _modules.Add(module);
        }

        foreach (var service in new[] { "cluster:vm", "firewall:rules", "firewall:dns" }.Where(s => module.DependsOnService(s)))
        {
            var result = await Platform.For(ServiceRef.Parse(service))!.InstallAsync(Request(module, service), ct);
            if (!result.Succeeded)
            {
                return $"{service}: {result.Message}";
            }

            if (service == "cluster:vm")
            {
                File.WriteAllText(Layout.ModuleFile(module.Name), JsonText.Write(module.Root));
            }
        }

        return null;
    }

    public async Task DeleteAsync(ModuleDefinition module, CancellationToken ct)
    {
        foreach (var service in new[] { "firewall:dns", "firewall:rules", "cluster:vm" }.Where(s => module.DependsOnService(s)))
        {
            await Platform.For(ServiceRef.Parse(service))!.DeleteAsync(Request(module, service), ct);
        }

        File.Delete(Layout.ModuleFile(module.Name));
        _modules.Remove(module);
    }

    /// <summary>The address of a module's first guest.</summary>
    public string Address(string module) => Platform.Runtime.Spec(module + "-0")!.Address!;

    /// <summary>Opens a TCP connection from inside a guest's namespace: "ok", "timeout" or the error.</summary>
    public async Task<string> ConnectAsync(string fromGuest, string address, int port)
    {
        var (code, output) = await ProcessRunner.RunAsync("ip", ["netns", "exec", Platform.Names.Namespace(fromGuest), "/usr/bin/python3", "-c",
            "import socket,sys\ntry:\n socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1.0); print('ok')\nexcept socket.timeout: print('timeout')\nexcept OSError as e: print(e)",
            address, port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return code == 0 ? output.Trim() : $"exit {code}: {output}";
    }

    /// <summary>Resolves a name inside a guest's namespace with its own resolver (the zone gateway).</summary>
    public async Task<string> ResolveAsync(string fromGuest, string name)
    {
        var (_, output) = await ProcessRunner.RunAsync("ip", ["netns", "exec", Platform.Names.Namespace(fromGuest), "getent", "ahostsv4", name]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).FirstOrDefault() ?? "";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var module in _modules.ToList())
        {
            await DeleteAsync(module, CancellationToken.None);
        }

        await Platform.Network.RemoveAsync(CancellationToken.None);
        foreach (var zone in new[] { "za", "zb", "zc" })
        {
            await ProcessRunner.RunAsync("ip", ["link", "del", Platform.Names.Bridge(zone)]);
        }

        _dir.Dispose();
    }
}
