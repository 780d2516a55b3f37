using Tappaas.TestUtilities;
using Tappaas.Abstractions.Providers;
using Tappaas.Platform.Proxmox.Backup;

namespace Tappaas.Platform.Proxmox.Tests.Providers;

public sealed class HaAndBackupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [VendorApiFact]
    public async Task Ha_creates_resource_affinity_rule_and_replication_job()
    {
        using var h = new ProxmoxHarness();
        var module = ProxmoxHarness.Module(ProxmoxHarness.App);
        await h.Vm.InstallAsync(h.Request(module), Ct);
        h.Sim.Calls.Clear();
        var result = await h.Ha.InstallAsync(h.Request(module, "cluster:ha"), Ct);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(["POST /cluster/ha/resources", "POST /cluster/ha/rules", "POST /cluster/replication"], h.Sim.Mutations);
        Assert.Equal("pve2:2,pve3:1", h.Sim.HaRules["ha-app"]["nodes"]!.GetValue<string>());
        Assert.Equal("vm:310", h.Sim.HaRules["ha-app"]["resources"]!.GetValue<string>());
        Assert.Equal("*/30", h.Sim.Replication["310-0"]["schedule"]!.GetValue<string>());
        h.Sim.Calls.Clear();
        Assert.True((await h.Ha.UpdateAsync(h.Request(module, "cluster:ha"), Ct)).Succeeded);
        Assert.Empty(h.Sim.Mutations); // converged: nothing to change
        Assert.True((await h.Ha.DeleteAsync(h.Request(module, "cluster:ha"), Ct)).Succeeded);
        Assert.Empty(h.Sim.HaRules);
        Assert.Empty(h.Sim.HaResources);
        Assert.Empty(h.Sim.Replication);
        Assert.Empty(h.Sim.Rejected);
    }

    [VendorApiFact]
    public async Task Migrate_saves_the_ha_rule_moves_online_and_restores_it()
    {
        using var h = new ProxmoxHarness();
        var module = ProxmoxHarness.Module(ProxmoxHarness.App);
        await h.Vm.InstallAsync(h.Request(module), Ct);
        await h.Ha.InstallAsync(h.Request(module, "cluster:ha"), Ct);
        h.Sim.Calls.Clear();
        var result = await h.Ha.MigrateAsync(h.Request(module, "cluster:ha"), null, Ct);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(
        [
            "DELETE /cluster/ha/rules/ha-app",
            "DELETE /cluster/ha/resources/vm:310",
            "POST /nodes/pve2/qemu/310/migrate",
            "POST /cluster/ha/resources",
            "POST /cluster/ha/rules",
        ], h.Sim.Mutations);
        Assert.Equal("1", h.Sim.Calls.Single(c => c.Call.EndsWith("/migrate", StringComparison.Ordinal)).Parameters["online"]);
        Assert.Equal("pve3", h.Sim.Guests[310].Node);
        Assert.Equal("pve2:2,pve3:1", h.Sim.HaRules["ha-app"]["nodes"]!.GetValue<string>());
        Assert.Contains("to pve2", (await h.Ha.MigrateAsync(h.Request(module, "cluster:ha"), null, Ct)).Output, StringComparison.Ordinal);
    }

    [VendorApiFact]
    public async Task A_failed_migration_still_restores_ha()
    {
        using var h = new ProxmoxHarness();
        var module = ProxmoxHarness.Module(ProxmoxHarness.App);
        await h.Vm.InstallAsync(h.Request(module), Ct);
        await h.Ha.InstallAsync(h.Request(module, "cluster:ha"), Ct);
        h.Sim.Faults.Add(new("POST", "/nodes/{node}/qemu/{vmid}/migrate", Simulator.FaultKind.TaskError, "migration aborted"));
        var result = await h.Ha.MigrateAsync(h.Request(module, "cluster:ha"), "pve3", Ct);
        Assert.Equal(OperationStatus.Fatal, result.Status);
        Assert.Contains("migration aborted", result.Message, StringComparison.Ordinal);
        Assert.True(h.Sim.HaRules.ContainsKey("ha-app"));
        Assert.True(h.Sim.HaResources.ContainsKey("vm:310"));
        Assert.Equal("pve2", h.Sim.Guests[310].Node);
    }

    [VendorApiFact]
    public async Task Backup_job_gains_and_loses_vmids_and_goes_when_empty()
    {
        using var h = new ProxmoxHarness();
        var a = ProxmoxHarness.Module(ProxmoxHarness.App);
        var b = ProxmoxHarness.Module(ProxmoxHarness.App.Replace("310", "320", StringComparison.Ordinal), "other");
        Assert.True((await h.Backup.InstallAsync(h.Request(a, "backup:vm"), Ct)).Succeeded);
        Assert.True((await h.Backup.InstallAsync(h.Request(b, "backup:vm"), Ct)).Succeeded);
        var job = Assert.Single(h.Sim.BackupJobs.Values);
        Assert.Equal("310,320", job["vmid"]!.GetValue<string>());
        Assert.Equal(ProxmoxBackupProvider.Marker, job["comment"]!.GetValue<string>());
        Assert.Equal(ProxmoxBackupProvider.DefaultRetention, job["prune-backups"]!.GetValue<string>());
        Assert.True((await h.Backup.TestAsync(h.Request(b, "backup:vm"), Ct)).Succeeded);
        await h.Backup.DeleteAsync(h.Request(a, "backup:vm"), Ct);
        Assert.Equal("320", Assert.Single(h.Sim.BackupJobs.Values)["vmid"]!.GetValue<string>());
        await h.Backup.DeleteAsync(h.Request(b, "backup:vm"), Ct);
        Assert.Empty(h.Sim.BackupJobs);
        Assert.Equal(OperationStatus.Failed, (await h.Backup.TestAsync(h.Request(b, "backup:vm"), Ct)).Status);
        var restore = await h.Backup.RestoreAsync(h.Request(a, "backup:vm"), "pve2", "tappaas_backup:backup/vm/310/2026-11-01T21:00:00Z", Ct);
        Assert.True(restore.Succeeded, restore.Message);
        Assert.Empty(h.Sim.Rejected);
    }

    [VendorApiFact]
    public async Task Evacuation_moves_every_vm_with_a_second_node_off_the_node()
    {
        using var h = new ProxmoxHarness();
        var a = ProxmoxHarness.Module(ProxmoxHarness.App);
        var b = ProxmoxHarness.Module(ProxmoxHarness.App.Replace("310", "320", StringComparison.Ordinal).Replace("\"vmname\": \"app\"", "\"vmname\": \"other\"", StringComparison.Ordinal), "other");
        var c = ProxmoxHarness.Module(ProxmoxHarness.App.Replace("310", "330", StringComparison.Ordinal).Replace("\"vmname\": \"app\"", "\"vmname\": \"third\"", StringComparison.Ordinal).Replace("pve2", "pve1", StringComparison.Ordinal), "third");
        foreach (var m in new[] { a, b, c })
        {
            Assert.True((await h.Vm.InstallAsync(h.Request(m), Ct)).Succeeded);
            Assert.True((await h.Ha.InstallAsync(h.Request(m, "cluster:ha"), Ct)).Succeeded);
        }

        var results = await h.Ha.EvacuateAsync([h.Request(a, "cluster:ha"), h.Request(b, "cluster:ha"), h.Request(c, "cluster:ha")], "pve2", Ct);
        Assert.Equal(["app", "other"], results.Select(r => r.Module));
        Assert.All(results, r => Assert.True(r.Result.Succeeded, r.Result.Message));
        Assert.Equal(("pve3", "pve3", "pve1"), (h.Sim.Guests[310].Node, h.Sim.Guests[320].Node, h.Sim.Guests[330].Node));
        Assert.Equal(3, h.Sim.HaRules.Count);
    }
}
