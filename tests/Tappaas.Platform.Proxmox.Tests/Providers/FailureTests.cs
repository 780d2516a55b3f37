using Tappaas.TestUtilities;
using Tappaas.Abstractions.Providers;
using Tappaas.Platform.Proxmox.Tests.Simulator;

namespace Tappaas.Platform.Proxmox.Tests.Providers;

/// <summary>Task errors, tasks that never end, server errors and held locks each end in a clear diagnostic and no orphaned VM.</summary>
public sealed class FailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [VendorApiTheory]
    [InlineData("POST", "/nodes/{node}/qemu/{vmid}/clone", FaultKind.TaskError, "clone of template 8080 to 310 failed on pve1: simulated failure")]
    [InlineData("POST", "/nodes/{node}/qemu/{vmid}/clone", FaultKind.TaskNeverEnds, "did not finish within")]
    [InlineData("PUT", "/nodes/{node}/qemu/{vmid}/config", FaultKind.Http500, "answered 500")]
    [InlineData("POST", "/nodes/{node}/qemu/{vmid}/status/start", FaultKind.LockHeld, "can't lock file '/var/lock/qemu-server/lock-310.conf'")]
    [InlineData("PUT", "/nodes/{node}/qemu/{vmid}/resize", FaultKind.TaskError, "disk resize of 310 to 32G failed")]
    public async Task Failure_is_reported_and_leaves_no_vm(string method, string template, FaultKind kind, string expected)
    {
        using var h = new ProxmoxHarness(taskTimeout: TimeSpan.FromMilliseconds(300));
        h.Sim.Faults.Add(new Fault(method, template, kind));
        var result = await h.Vm.InstallAsync(h.Request(ProxmoxHarness.Module(ProxmoxHarness.App)), Ct);
        Assert.Equal(OperationStatus.Fatal, result.Status);
        var d = Assert.Single(result.Diagnostics);
        Assert.Contains(expected, d.Message, StringComparison.Ordinal);
        Assert.StartsWith("cluster:vm for \"app\": ", d.Message, StringComparison.Ordinal);
        if (kind == FaultKind.LockHeld)
        {
            Assert.Contains("lock", d.Hint, StringComparison.Ordinal);
        }

        Assert.False(h.Sim.Guests.ContainsKey(310), "the half-created VM must be destroyed");
        Assert.Empty(h.Sim.Rejected);
    }

    [VendorApiFact]
    public async Task Reads_are_retried_after_a_server_error_but_writes_are_not()
    {
        using var h = new ProxmoxHarness();
        h.Sim.Faults.Add(new Fault("GET", "/cluster/resources", FaultKind.Http500));
        var read = await h.Vm.ReadAsync(h.Request(ProxmoxHarness.Module(ProxmoxHarness.App)), Ct);
        Assert.False(read.Exists);
        Assert.Equal(2, h.Sim.Calls.Count(c => c.Call == "GET /cluster/resources"));

        h.Sim.Faults.Add(new Fault("POST", "/nodes/{node}/qemu/{vmid}/clone", FaultKind.Http500));
        h.Sim.Calls.Clear();
        await h.Vm.InstallAsync(h.Request(ProxmoxHarness.Module(ProxmoxHarness.App)), Ct);
        Assert.Single(h.Sim.Calls, c => c.Call == "POST /nodes/pve1/qemu/8080/clone");
    }

    [VendorApiFact]
    public async Task Missing_token_is_refused_by_the_server()
    {
        using var h = new ProxmoxHarness();
        using var anonymous = new HttpClient(h.Sim) { BaseAddress = new Uri("https://pve1:8006/api2/json/") };
        var response = await anonymous.GetAsync("nodes", Ct);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
