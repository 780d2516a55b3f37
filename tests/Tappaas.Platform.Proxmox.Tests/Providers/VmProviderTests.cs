using Tappaas.TestUtilities;
using Tappaas.Abstractions.Providers;

namespace Tappaas.Platform.Proxmox.Tests.Providers;

public sealed class VmProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [VendorApiFact]
    public async Task Install_clones_configures_grows_starts_and_waits_for_the_agent()
    {
        using var h = new ProxmoxHarness();
        var result = await h.Vm.InstallAsync(h.Request(ProxmoxHarness.Module(ProxmoxHarness.App)), Ct);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(
        [
            "POST /nodes/pve1/qemu/8080/clone",
            "POST /nodes/pve1/qemu/310/migrate",
            "PUT /nodes/pve2/qemu/310/config",
            "PUT /nodes/pve2/qemu/310/cloudinit",
            "PUT /nodes/pve2/qemu/310/resize",
            "POST /nodes/pve2/qemu/310/status/start",
            "POST /nodes/pve2/qemu/310/agent/ping",
        ], h.Sim.Mutations);
        var vm = h.Sim.Guests[310];
        Assert.Equal(("pve2", "app", "running"), (vm.Node, vm.Name, vm.Status));
        Assert.Equal("4", vm.Config["cores"]);
        Assert.Equal("virtio=BC:24:11:00:00:01,bridge=lan,tag=210,trunks=310;410", vm.Config["net0"]);
        Assert.Contains("size=32G", vm.Config["scsi0"], StringComparison.Ordinal);
        Assert.Equal("ip=dhcp", vm.Config["ipconfig0"]);
        Assert.Empty(h.Sim.Rejected);
    }

    [VendorApiFact]
    public async Task Install_reads_before_it_creates()
    {
        using var h = new ProxmoxHarness();
        var request = h.Request(ProxmoxHarness.Module(ProxmoxHarness.App));
        await h.Vm.InstallAsync(request, Ct);
        h.Sim.Calls.Clear();
        var again = await h.Vm.InstallAsync(request, Ct);
        Assert.True(again.Succeeded);
        Assert.Contains("adopted", again.Output, StringComparison.Ordinal);
        Assert.Empty(h.Sim.Mutations);
    }

    [VendorApiFact]
    public async Task Update_reconciles_drift_only()
    {
        using var h = new ProxmoxHarness();
        await h.Vm.InstallAsync(h.Request(ProxmoxHarness.Module(ProxmoxHarness.App)), Ct);
        h.Sim.Calls.Clear();
        var bigger = ProxmoxHarness.Module(ProxmoxHarness.App.Replace("\"cores\": 4", "\"cores\": 8", StringComparison.Ordinal).Replace("32G", "64G", StringComparison.Ordinal));
        var result = await h.Vm.UpdateAsync(h.Request(bigger), Ct);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(["PUT /nodes/pve2/qemu/310/config", "PUT /nodes/pve2/qemu/310/resize"], h.Sim.Mutations);
        Assert.Equal(["cores"], h.Sim.Calls.Single(c => c.Call == "PUT /nodes/pve2/qemu/310/config").Parameters.Keys);
        Assert.Contains("size=64G", h.Sim.Guests[310].Config["scsi0"], StringComparison.Ordinal);
    }

    [VendorApiFact]
    public async Task Another_modules_vmid_is_never_taken_over()
    {
        using var h = new ProxmoxHarness();
        var result = await h.Vm.InstallAsync(h.Request(ProxmoxHarness.Module(ProxmoxHarness.App.Replace("310", "8080", StringComparison.Ordinal))), Ct);
        Assert.Equal(OperationStatus.Fatal, result.Status);
        Assert.Contains("VMID 8080 is taken by \"tappaas-nixos\"", result.Message, StringComparison.Ordinal);
        Assert.Empty(h.Sim.Mutations);
    }

    [VendorApiFact]
    public async Task Snapshots_create_list_prune_and_roll_back_n_back()
    {
        using var h = new ProxmoxHarness();
        var request = h.Request(ProxmoxHarness.Module(ProxmoxHarness.App));
        await h.Vm.InstallAsync(request, Ct);
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            h.Sim.Guests[310].Snapshots.Add(($"tappaas-2026010{i}-000000", 100 + i));
            names.Add($"tappaas-2026010{i}-000000");
        }

        Assert.Equal(names, await h.Vm.ListSnapshotsAsync(request, Ct));
        Assert.True((await h.Vm.RestoreNthAsync(request, 2, Ct)).Succeeded);
        Assert.Contains(h.Sim.Mutations, c => c == $"POST /nodes/pve2/qemu/310/snapshot/{names[1]}/rollback");
        await h.Vm.PruneSnapshotsAsync(request, 1, Ct);
        Assert.Equal([names[2]], await h.Vm.ListSnapshotsAsync(request, Ct));
        Assert.Equal(OperationStatus.Failed, (await h.Vm.RestoreNthAsync(request, 5, Ct)).Status);
    }

    [VendorApiFact]
    public async Task Delete_stops_and_destroys_with_disks()
    {
        using var h = new ProxmoxHarness();
        var request = h.Request(ProxmoxHarness.Module(ProxmoxHarness.App));
        await h.Vm.InstallAsync(request, Ct);
        h.Sim.Calls.Clear();
        Assert.True((await h.Vm.DeleteAsync(request, Ct)).Succeeded);
        Assert.Equal(["POST /nodes/pve2/qemu/310/status/stop", "DELETE /nodes/pve2/qemu/310"], h.Sim.Mutations);
        Assert.Equal("1", h.Sim.Calls.Single(c => c.Call.StartsWith("DELETE", StringComparison.Ordinal)).Parameters["purge"]);
        Assert.False(h.Sim.Guests.ContainsKey(310));
        Assert.True((await h.Vm.DeleteAsync(request, Ct)).Succeeded); // absent is fine
    }

    [VendorApiFact]
    public async Task Containers_from_ct_templates()
    {
        using var h = new ProxmoxHarness();
        var module = ProxmoxHarness.Module("""{"vmid": 312, "node": "pve1", "zone0": "srvWork", "dependsOn": ["cluster:lxc"], "config": {"cluster:lxc": {"cores": 2, "memory": 2048, "diskSize": "16G", "image": "debian-12-standard_12.12-1_amd64.tar.zst"}}}""", "llm");
        var result = await h.Lxc.InstallAsync(h.Request(module, "cluster:lxc"), Ct);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(["POST /nodes/pve1/lxc", "POST /nodes/pve1/lxc/312/status/start"], h.Sim.Mutations);
        var create = h.Sim.Calls.First(c => c.Call == "POST /nodes/pve1/lxc").Parameters;
        Assert.Equal("local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst", create["ostemplate"]);
        Assert.Equal("name=eth0,bridge=lan,tag=220,ip=dhcp", create["net0"]);
        Assert.True((await h.Lxc.DeleteAsync(h.Request(module, "cluster:lxc"), Ct)).Succeeded);
        Assert.False(h.Sim.Guests.ContainsKey(312));
        Assert.Empty(h.Sim.Rejected);
    }
}
