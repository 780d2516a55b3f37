using Tappaas.TestUtilities;
using Tappaas.Platform.Proxmox.Api;
using Tappaas.Platform.Proxmox.Tests.Simulator;

namespace Tappaas.Platform.Proxmox.Tests.Providers;

/// <summary>Every request the providers make is checked against the vendor's schema; the calls covered are listed.</summary>
public sealed class SchemaConformanceTests(ITestOutputHelper log)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [VendorApiFact]
    public async Task Every_request_the_providers_make_matches_the_schema()
    {
        using var h = new ProxmoxHarness();
        var app = ProxmoxHarness.Module(ProxmoxHarness.App);
        var bigger = ProxmoxHarness.Module(ProxmoxHarness.App.Replace("32G", "40G", StringComparison.Ordinal).Replace("\"node\": \"pve2\"", "\"node\": \"pve1\"", StringComparison.Ordinal)
            .Replace("\"cluster:ha\", ", "", StringComparison.Ordinal).Replace(",\n                    \"cluster:ha\": {\"replicationSchedule\": \"*/30\"}", "", StringComparison.Ordinal));
        var img = ProxmoxHarness.Module("""{"vmid": 330, "node": "pve1", "zone0": "dmz", "dependsOn": ["cluster:vm"], "config": {"cluster:vm": {"imageType": "img", "image": "haos.qcow2", "imageLocation": "https://example.org/images", "cloudInit": "false"}}}""", "hass");
        var iso = ProxmoxHarness.Module("""{"vmid": 340, "node": "pve1", "zone0": "srvWork", "dependsOn": ["cluster:vm"], "config": {"cluster:vm": {"imageType": "iso", "image": "win.iso", "imageLocation": "/var/lib/vz/template/iso", "diskSize": "64G"}}}""", "win");
        var lxc = ProxmoxHarness.Module("""{"vmid": 312, "node": "pve1", "zone0": "srvWork", "dependsOn": ["cluster:lxc"], "config": {"cluster:lxc": {"memory": 1024, "image": "debian-12-standard_12.12-1_amd64.tar.zst"}}}""", "llm");

        Ok(await h.Vm.InstallAsync(h.Request(app), Ct));
        Ok(await h.Ha.InstallAsync(h.Request(app, "cluster:ha"), Ct));
        Ok(await h.Backup.InstallAsync(h.Request(app, "backup:vm"), Ct));
        var snap = await h.Vm.CreateSnapshotAsync(h.Request(app), Ct);
        h.Sim.Guests[310].Snapshots.Insert(0, ("tappaas-20260101-000000", 1));
        Ok(await h.Vm.RestoreSnapshotAsync(h.Request(app), snap, Ct));
        await h.Vm.PruneSnapshotsAsync(h.Request(app), 1, Ct);
        Ok(await h.Ha.MigrateAsync(h.Request(app, "cluster:ha"), "pve3", Ct));
        Ok(await h.Ha.UpdateAsync(h.Request(ProxmoxHarness.Module(ProxmoxHarness.App.Replace("*/30", "*/10", StringComparison.Ordinal).Replace("\"HANode\": \"pve3\"", "\"HANode\": \"pve1\"", StringComparison.Ordinal)), "cluster:ha"), Ct));
        Ok(await h.Ha.DeleteAsync(h.Request(app, "cluster:ha"), Ct));
        Ok(await h.Vm.UpdateAsync(h.Request(bigger), Ct));
        Ok(await h.Vm.TestAsync(h.Request(app), Ct));
        Ok(await h.Vm.InstallAsync(h.Request(img), Ct));
        Ok(await h.Vm.InstallAsync(h.Request(iso), Ct));
        Ok(await h.Backup.InstallAsync(h.Request(img, "backup:vm"), Ct));
        Ok(await h.Lxc.InstallAsync(h.Request(lxc, "cluster:lxc"), Ct));
        Ok(await h.Lxc.UpdateAsync(h.Request(ProxmoxHarness.Module(lxcJson(2048), "llm"), "cluster:lxc"), Ct));
        Ok(await h.Lxc.DeleteAsync(h.Request(lxc, "cluster:lxc"), Ct));
        Ok(await h.Backup.RestoreAsync(h.Request(app, "backup:vm"), "pve1", "tappaas_backup:backup/vm/310/2026-11-01T21:00:00Z", Ct));
        Ok(await h.Backup.DeleteAsync(h.Request(app, "backup:vm"), Ct));
        Ok(await h.Vm.DeleteAsync(h.Request(app), Ct));

        var covered = h.Sim.Calls.Select(c => $"{c.Call.Split(' ')[0]} {c.Template}").Distinct().Order(StringComparer.Ordinal).ToList();
        log.WriteLine($"{covered.Count} distinct API calls covered, all valid against pve-apidata.json ({PveSchema.Instance.PathCount} paths):");
        foreach (var c in covered)
        {
            log.WriteLine("  " + c);
        }

        Assert.Empty(h.Sim.Rejected);
        Assert.True(covered.Count >= 35, $"only {covered.Count} calls covered");
        string[] required =
        [
            "POST /nodes/{node}/qemu/{vmid}/clone", "POST /nodes/{node}/qemu", "PUT /nodes/{node}/qemu/{vmid}/config", "PUT /nodes/{node}/qemu/{vmid}/resize",
            "POST /nodes/{node}/qemu/{vmid}/migrate", "POST /nodes/{node}/qemu/{vmid}/snapshot", "POST /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback",
            "DELETE /nodes/{node}/qemu/{vmid}/snapshot/{snapname}", "GET /nodes/{node}/tasks/{upid}/status", "POST /cluster/ha/rules", "PUT /cluster/ha/rules/{rule}",
            "POST /cluster/replication", "PUT /cluster/replication/{id}", "POST /cluster/backup", "PUT /cluster/backup/{id}", "POST /nodes/{node}/lxc",
            "PUT /nodes/{node}/lxc/{vmid}/config", "POST /nodes/{node}/storage/{storage}/download-url", "POST /nodes/{node}/qemu/{vmid}/agent/ping",
        ];
        Assert.All(required, r => Assert.Contains(r, covered));

        static string lxcJson(int memory) => "{\"vmid\": 312, \"node\": \"pve1\", \"zone0\": \"srvWork\", \"dependsOn\": [\"cluster:lxc\"], \"config\": {\"cluster:lxc\": {\"memory\": " + memory + ", \"image\": \"debian-12-standard_12.12-1_amd64.tar.zst\"}}}";
    }

    private static void Ok(Tappaas.Abstractions.Providers.OperationResult result) => Assert.True(result.Succeeded, result.Message);

    [VendorApiTheory]
    [InlineData("coress", "2", "coress: property is not defined in schema")]
    [InlineData("cores", "two", "cores: type check ('integer') failed")]
    [InlineData("net0", "virtio,bridgee=lan", "net0: invalid format - unknown key 'bridgee'")]
    [InlineData("ostype", "linux", "ostype: value 'linux' does not have a value in the enumeration")]
    [InlineData("onboot", "true", "onboot: type check ('boolean') failed")]
    public async Task A_deliberately_wrong_parameter_is_rejected(string name, string value, string expected)
    {
        using var h = new ProxmoxHarness();
        await h.Vm.InstallAsync(h.Request(ProxmoxHarness.Module(ProxmoxHarness.App)), Ct);
        var ex = await Assert.ThrowsAsync<PveApiException>(() => h.Client.PutAsync("nodes/pve2/qemu/310/config", new Dictionary<string, string> { [name] = value }, Ct));
        Assert.Equal(400, ex.StatusCode);
        Assert.Contains(expected, Assert.Single(h.Sim.Rejected).Errors.Single(), StringComparison.Ordinal);
    }

    [VendorApiFact]
    public void Missing_required_parameters_unknown_paths_and_methods_are_rejected()
    {
        var schema = PveSchema.Instance;
        Assert.Contains("newid: property is missing and it is not optional", schema.Validate("POST", "/nodes/pve1/qemu/8080/clone", new Dictionary<string, string>()));
        Assert.Contains("no such path /nodes/pve1/vms", schema.Validate("GET", "/nodes/pve1/vms", new Dictionary<string, string>()));
        Assert.Contains("PATCH is not allowed on /nodes/{node}/qemu/{vmid}/config", schema.Validate("PATCH", "/nodes/pve1/qemu/100/config", new Dictionary<string, string>()));
        Assert.Contains("affinity: not allowed for type 'node-affinity'",
            schema.Validate("POST", "/cluster/ha/rules", new Dictionary<string, string> { ["rule"] = "r", ["type"] = "node-affinity", ["resources"] = "vm:1", ["affinity"] = "positive" }));
        Assert.Empty(schema.Validate("POST", "/nodes/pve1/qemu/8080/clone", new Dictionary<string, string> { ["newid"] = "310", ["name"] = "app", ["full"] = "1" }));
    }
}
