using System.Text;
using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Site;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.TestUtilities;

namespace Tappaas.Platform.Embedded.Tests;

/// <summary>
/// A site folder with the default zones (moved to subnets of their own, 10.2.10.0/24 becomes 10.82.10.0/24) under the
/// instance tag <c>eh</c>, so its bridges and nftables table are its own and go when it is disposed; and module
/// definitions with a python HTTP workload.
/// </summary>
internal sealed class EmbeddedHarness : IAsyncDisposable
{
    public const string Instance = "eh";
    public const int SubnetOffset = 80;

    // Not under /tmp: every guest gets a private /tmp, which would hide a site kept there.
    private readonly TempDir _dir = new("/var/tmp");
    private readonly List<(EmbeddedVmProvider Provider, ProviderRequest Request)> _installed = [];

    public EmbeddedHarness()
    {
        Layout = new SiteLayout(Path.Combine(_dir.Path, "site"));
        SiteInitializer.Initialize(Layout, "example.org", new Dictionary<string, string>(), []);
        EmbeddedSites.Separate(Layout.Root, Instance, SubnetOffset);
        Folder = Path.Combine(_dir.Path, "module");
        Directory.CreateDirectory(Folder);
    }

    public SiteLayout Layout { get; }

    public string Folder { get; }

    /// <summary>Root with ip and unshare: the isolated mode can be tested; otherwise the reason.</summary>
    public static string? IsolationUnavailable => EmbeddedVmProvider.CanIsolate ? null : Prerequisites.Missing("root with iproute2 and util-linux (network namespaces, cgroups)");

    public static ModuleDefinition Module(string name, string workload, int memory = 512, string zone = "srvHome", string extra = "") =>
        new(name, name + ".json", (JObject)JsonSource.Parse(name, Encoding.UTF8.GetBytes(
            "{\"vmid\": 400, \"vmname\": \"" + name + "\", \"zone0\": \"" + zone + "\", \"dependsOn\": [\"cluster:vm\"]" + extra +
            ", \"config\": {\"cluster:vm\": {\"image\": \"x\", \"cores\": 1, \"memory\": " + memory + ", \"workload\": " + workload + "}}}")).Root!);

    /// <summary>A python web server on port 8080 (the isolated mode) or ${port:http} (loopback), which first writes what it sees.</summary>
    public static string Web(int replicas = 1, string restart = "{\"attempts\": 5, \"delay\": \"100ms\"}", bool loopback = false) =>
        "{\"command\": \"/bin/sh\", \"args\": [\"-c\", \"hostname > $TAPPAAS_DATA/hostname-$TAPPAAS_REPLICA; ls -A /tmp > $TAPPAAS_DATA/tmp-$TAPPAAS_REPLICA; exec /usr/bin/python3 -m http.server "
        + (loopback ? "${port:http}" : "8080")
        + " --bind 0.0.0.0\"], \"ports\": {\"http\": 8080}, "
        + "\"health\": {\"liveness\": {\"http\": {\"port\": \"http\", \"path\": \"/\"}, \"interval\": \"200ms\", \"timeout\": \"500ms\", \"failureThreshold\": 3, \"startGrace\": \"3s\"}}, "
        + "\"restart\": " + restart + ", \"replicas\": " + replicas + ", \"stopGrace\": \"2s\"}";

    public ProviderRequest Request(ModuleDefinition module) => new(module, ServiceRef.Parse("cluster:vm"), Folder, Layout.Root, HookFlags.None);

    public async Task<OperationResult> InstallAsync(EmbeddedVmProvider provider, ModuleDefinition module)
    {
        var request = Request(module);
        _installed.Add((provider, request));
        return await provider.InstallAsync(request, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (provider, request) in _installed)
        {
            await provider.DeleteAsync(request, CancellationToken.None);
        }

        // Whatever a failed test left, and what deleting the guests keeps (the zone bridges, the table, the DNS server).
        await EmbeddedSites.RemoveHostObjectsAsync(Instance, Layout.Root);
        _dir.Dispose();
    }
}
