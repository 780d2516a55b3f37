using Tappaas.TestUtilities;
using Tappaas.Abstractions.Providers;
using Tappaas.Engine;
using Tappaas.Engine.Apply;
using Tappaas.Hooks;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.State;

namespace Tappaas.Platform.Proxmox.Tests.Providers;

/// <summary>The engine driving the Proxmox providers against the simulator: install, update with snapshot and rollback, migrate, delete.</summary>
public sealed class EngineOnProxmoxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Factory(ProxmoxHarness h) : IProviderFactory
    {
        public IResourceProvider Resolve(ServiceRef service, string providerFolder) => service.ToString() switch
        {
            "cluster:vm" => h.Vm,
            "cluster:lxc" => h.Lxc,
            "cluster:ha" => h.Ha,
            "backup:vm" => h.Backup,
            _ => new HookScriptProvider(providerFolder, new HookRunner(TimeSpan.FromSeconds(10), TimeProvider.System)),
        };
    }

    private static ModuleSource Source(string folder, string name, string json, string? updateScript = null)
    {
        var dir = Path.Combine(folder, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, name + ".json"), json);
        if (updateScript is not null)
        {
            File.WriteAllText(Path.Combine(dir, "update.sh"), updateScript);
        }

        return new ModuleSource(new ModuleDefinition(name, name + ".json", (JObject)JsonSource.Parse(name, System.Text.Encoding.UTF8.GetBytes(json)).Root!), dir, json);
    }

    [VendorApiFact]
    public async Task Install_update_with_rollback_migrate_and_delete()
    {
        using var h = new ProxmoxHarness();
        await using var store = new SqliteStateStore(h.Layout.StatePath, TimeProvider.System);
        await store.MigrateAsync(Ct);
        var runner = new HookRunner(TimeSpan.FromSeconds(10), TimeProvider.System);
        var engine = new SiteEngine(h.Layout, store, new Factory(h), new ModuleHookScripts(runner), TimeProvider.System);
        var src = Path.Combine(h.Layout.Root, "..", "src");
        var cluster = Source(src, "cluster", """{"description": "c", "version": "1.0", "provides": ["vm", "lxc", "ha"]}""");
        var backup = Source(src, "backup", """{"description": "b", "version": "1.0", "provides": ["vm"]}""");
        var app = Source(src, "app", ProxmoxHarness.App);

        var install = await engine.InstallAsync([cluster, backup, app], new EngineOptions(), Ct);
        Assert.True(install.Status == ApplyStatus.Succeeded, string.Join("; ", install.Diagnostics));
        Assert.Equal(
        [
            "POST /nodes/pve1/qemu/8080/clone", "POST /nodes/pve1/qemu/310/migrate", "PUT /nodes/pve2/qemu/310/config", "PUT /nodes/pve2/qemu/310/cloudinit",
            "PUT /nodes/pve2/qemu/310/resize", "POST /nodes/pve2/qemu/310/status/start", "POST /nodes/pve2/qemu/310/agent/ping",
            "POST /cluster/ha/resources", "POST /cluster/ha/rules", "POST /cluster/replication",
            "POST /cluster/backup",
        ], h.Sim.Mutations);

        // A new release whose update.sh fails fatally: the engine snapshots first and rolls the VM back to it.
        h.Sim.Calls.Clear();
        Source(src, "app", ProxmoxHarness.App.Replace("\"cores\": 4", "\"cores\": 6", StringComparison.Ordinal), "#!/bin/sh\nexit 2\n");
        var update = await engine.UpdateAsync("app", new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.RolledBack, update.Status);
        var snapshot = h.Sim.Calls.Single(c => c.Call == "POST /nodes/pve2/qemu/310/snapshot").Parameters["snapname"];
        Assert.Equal(
        [
            "POST /nodes/pve2/qemu/310/snapshot",
            "PUT /nodes/pve2/qemu/310/config",
            "POST /nodes/pve2/qemu/310/status/stop",
            $"POST /nodes/pve2/qemu/310/snapshot/{snapshot}/rollback",
        ], h.Sim.Mutations);
        Assert.Equal(1, (await store.GetModuleAsync("app", Ct))!.Revision);

        h.Sim.Calls.Clear();
        var migrate = await h.Ha.MigrateAsync(h.Request(ProxmoxHarness.Module(ProxmoxHarness.App), "cluster:ha"), "pve3", Ct);
        Assert.True(migrate.Succeeded, migrate.Message);
        Assert.Equal("pve3", h.Sim.Guests[310].Node);

        h.Sim.Calls.Clear();
        var delete = await engine.DeleteAsync("app", new EngineOptions { Archive = false }, Ct);
        Assert.Equal(ApplyStatus.Succeeded, delete.Status);
        Assert.Equal(
        [
            "DELETE /cluster/backup/" + h.Sim.Calls.Single(c => c.Call.StartsWith("DELETE /cluster/backup/", StringComparison.Ordinal)).Call.Split('/')[^1],
            "DELETE /cluster/ha/rules/ha-app", "DELETE /cluster/ha/resources/vm:310", "DELETE /cluster/replication/310-0",
            "POST /nodes/pve3/qemu/310/status/stop", "DELETE /nodes/pve3/qemu/310",
        ], h.Sim.Mutations);
        Assert.False(h.Sim.Guests.ContainsKey(310));
        Assert.Empty(h.Sim.Rejected);
    }
}
