using Tappaas.Platform.Proxmox.Api;
using Tappaas.Platform.Proxmox.Guests;

namespace Tappaas.Platform.Proxmox.Tests.Providers;

/// <summary>
/// The provider against a real cluster, when one is configured: TAPPAAS_PVE_URL, TAPPAAS_PVE_TOKEN
/// (USER@REALM!ID=SECRET), TAPPAAS_PVE_NODE, TAPPAAS_PVE_STORAGE, TAPPAAS_PVE_TEMPLATE (a template VMID) and
/// optionally TAPPAAS_PVE_VMID (default 990) and TAPPAAS_PVE_FINGERPRINT. Run with scripts/test-live-pve.sh; the
/// default test run leaves the Live category out.
/// </summary>
[Trait("Category", "Live")]
public sealed class LiveProxmoxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Install_test_and_delete_a_vm_on_a_real_cluster()
    {
        var env = new[] { "TAPPAAS_PVE_URL", "TAPPAAS_PVE_TOKEN", "TAPPAAS_PVE_NODE", "TAPPAAS_PVE_STORAGE", "TAPPAAS_PVE_TEMPLATE" }
            .ToDictionary(k => k, Environment.GetEnvironmentVariable);
        if (env.Values.Any(string.IsNullOrEmpty))
        {
            Assert.Skip("no live cluster configured: set " + string.Join(", ", env.Where(kv => string.IsNullOrEmpty(kv.Value)).Select(kv => kv.Key)));
        }

        var token = env["TAPPAAS_PVE_TOKEN"]!;
        var at = token.IndexOf('=', StringComparison.Ordinal);
        using var client = new PveClient(new PveClientOptions
        {
            BaseAddress = new Uri(env["TAPPAAS_PVE_URL"]!),
            TokenId = token[..at],
            Secret = token[(at + 1)..],
            Fingerprint = Environment.GetEnvironmentVariable("TAPPAAS_PVE_FINGERPRINT"),
        }, TimeProvider.System);
        using var h = new ProxmoxHarness();
        var vmid = Environment.GetEnvironmentVariable("TAPPAAS_PVE_VMID") ?? "990";
        var json = "{\"vmid\": " + vmid + ", \"node\": \"" + env["TAPPAAS_PVE_NODE"] + "\", \"zone0\": \"mgmt\", \"dependsOn\": [\"cluster:vm\"], \"config\": {\"cluster:vm\": {\"cores\": 1, \"memory\": 1024, \"storage\": \""
            + env["TAPPAAS_PVE_STORAGE"] + "\", \"image\": \"" + env["TAPPAAS_PVE_TEMPLATE"] + "\", \"cloudInit\": \"false\"}}}";
        var module = ProxmoxHarness.Module(json, "tappaas-live-test");
        var vm = new ProxmoxVmProvider(client, TimeProvider.System);
        var request = h.Request(module);
        try
        {
            var install = await vm.InstallAsync(request, Ct);
            Assert.True(install.Succeeded, install.Message);
            Assert.True((await vm.TestAsync(request, Ct)).Succeeded);
            Assert.True((await vm.ReadAsync(request, Ct)).Exists);
        }
        finally
        {
            var delete = await vm.DeleteAsync(request, Ct);
            Assert.True(delete.Succeeded, delete.Message);
        }
    }
}
