using Tappaas.Abstractions.Plans;
using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Apply;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Modules;
using Tappaas.Providers.Fake;

namespace Tappaas.Engine.Tests.Apply;

/// <summary>
/// Upstream's contract where it is easy to miss: the installed copy is the operator's desired state (update merges it,
/// plan names its edits, a rollback restores it), variant installs find their module's release, delete stops on a
/// failing delete.sh and tells the providers the guest's VMID and node, an archived module needs --force, a provider
/// must ship the hooks of what it provides, diagnostics point into the operator's own file, a missing test is skipped,
/// and a failing hook's last words come with its error. Module files are written here in upstream's shapes.
/// </summary>
public sealed class UpstreamContractTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Web1 = """
        {"description": "web", "version": "1.0", "vmid": 300, "zone0": "srvHome", "dependsOn": ["cluster:vm"],
         "config": {"cluster:vm": {"image": "8080", "cores": 2, "memory": 1024}}}
        """;

    private const string Web2 = """
        {"description": "web", "version": "1.1", "vmid": 300, "zone0": "srvHome", "dependsOn": ["cluster:vm"],
         "config": {"cluster:vm": {"image": "8080", "cores": 4, "memory": 2048}}}
        """;

    [Fact]
    public async Task Update_keeps_edits_of_the_installed_copy_reports_conflicts_and_plan_names_them()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Module("web", Web1)], new EngineOptions(), Ct);

        // The operator edits config/web.json: a description, a field of their own, and the cores the release changes too.
        var installed = File.ReadAllText(h.Layout.ModuleFile("web"))
            .Replace("\"description\": \"web\"", "\"description\": \"our shop\", \"maintainer\": \"ops@example.org\"", StringComparison.Ordinal)
            .Replace("\"cores\": 2", "\"cores\": 3", StringComparison.Ordinal);
        File.WriteAllText(h.Layout.ModuleFile("web"), installed);
        h.Module("web", Web2);

        var (plan, _, notes) = await h.Engine.PlanAsync([], Ct);
        var reasons = plan!.Changes.Where(c => c.Module == "web").SelectMany(c => c.Reasons).ToList();
        Assert.Contains(reasons, r => r.StartsWith("description changed from web to our shop (edited in ", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("maintainer added (ops@example.org) (edited in ", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("cores changed from 2 to 3 (kept as edited in ", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r == "memory changed from 1024 to 2048");
        Assert.Contains(notes, d => d.Code == EngineCodes.MergeConflict);

        var outcome = await h.Engine.UpdateAsync("web", new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.Succeeded, outcome.Status);
        var conflict = Assert.Single(outcome.Diagnostics, d => d.Code == EngineCodes.MergeConflict);
        Assert.Equal(Severity.Warning, conflict.Severity);
        Assert.Contains("kept 3 as edited in", conflict.Message, StringComparison.Ordinal);
        Assert.Contains("the release changes it from 2 to 4", conflict.Message, StringComparison.Ordinal);
        Assert.Equal(h.Layout.ModuleFile("web"), conflict.Location!.File);
        Assert.Equal("$.config[\"cluster:vm\"].cores", conflict.Location.JsonPath);
        Assert.True(conflict.Location.Line > 0);

        var recorded = Modules.Parse("web", (await h.Store.GetModuleAsync("web", Ct))!.Definition);
        Assert.Equal(("our shop", "ops@example.org", "3", "2048", "1.1"),
            (recorded.Text("description"), recorded.Text("maintainer"), recorded.Text("cores"), recorded.Text("memory"), recorded.Text("version")));
        Assert.Equal(File.ReadAllText(Path.Combine(h.Sources, "web", "web.json")), File.ReadAllText(h.Layout.OrigFile("web")));

        // A failing update gives the operator their file back as it was, edits and baseline included.
        var edited = File.ReadAllText(h.Layout.ModuleFile("web"));
        var baseline = File.ReadAllText(h.Layout.OrigFile("web"));
        h.Module("web", Web2.Replace("\"1.1\"", "\"1.2\"", StringComparison.Ordinal), ("update.sh", "#!/bin/sh\necho 'the new release does not fit'\nexit 2\n"));
        var failed = await h.Engine.UpdateAsync("web", new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.RolledBack, failed.Status);
        Assert.Equal(edited, File.ReadAllText(h.Layout.ModuleFile("web")));
        Assert.Equal(baseline, File.ReadAllText(h.Layout.OrigFile("web")));
        Assert.Contains(failed.Diagnostics, d => d.Message.Contains("update.sh for web failed fatally (exit 2); it printed last: the new release does not fit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_variant_install_is_planned_and_updated_from_its_modules_release_and_keeps_its_own_fields()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster)], new EngineOptions(), Ct);
        var release = h.Module("cons", """
            {"description": "consumer", "version": "1.0", "vmid": 320, "vmname": "cons", "zone0": "srvHome", "dependsOn": ["cluster:vm"],
             "config": {"cluster:vm": {"image": "8080", "cores": 2}}}
            """);

        // What upstream's install --variant dev leaves in its config folder, imported: cons-dev.json, its baseline the release.
        var folder = Path.Combine(h.Sources, "..", "upstream-config");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "cons-dev.json"), """
            {"vmname": "cons-dev", "vmid": 321, "zone0": "srvWork", "variant": "dev", "dependsOn": ["cluster:vm"], "description": "consumer", "version": "1.0",
             "location": "@LOCATION", "installTime": "20260301-10:00:00", "config": {"cluster:vm": {"image": "8080", "cores": 2}}}
            """.Replace("@LOCATION", release.Folder, StringComparison.Ordinal));
        File.Copy(release.Definition.File, Path.Combine(folder, "cons-dev.json.orig"));
        Assert.Equal(ApplyStatus.Succeeded, (await h.Engine.ImportAsync(folder, Ct)).Status);
        var (drifted, _, _) = await h.Engine.PlanAsync([], Ct); // import runs nothing: its VM is not there yet
        Assert.Contains(drifted!.Changes, c => c.Module == "cons-dev" && c.Action == ChangeAction.Create && c.Reasons.Any(r => r.Contains("(drift)", StringComparison.Ordinal)));
        var imported = Modules.Parse("cons-dev", (await h.Store.GetModuleAsync("cons-dev", Ct))!.Definition);
        await new FakeProvider(h.Layout.Root, TimeProvider.System).InstallAsync(new ProviderRequest(imported, ServiceRef.Parse("cluster:vm"), release.Folder, h.Layout.Root, HookFlags.None), Ct);

        h.Module("cons", File.ReadAllText(release.Definition.File).Replace("\"cores\": 2", "\"cores\": 6", StringComparison.Ordinal));
        var (plan, _, problems) = await h.Engine.PlanAsync([], Ct);
        Assert.True(plan is not null, string.Join("; ", problems));
        Assert.Contains(plan.Changes, c => c.Module == "cons-dev" && c.Reasons.Contains("cores changed from 2 to 6"));

        var outcome = await h.Engine.UpdateAsync("cons-dev", new EngineOptions { NoSnapshot = true }, Ct); // imported: no guest to test before
        Assert.True(outcome.Status == ApplyStatus.Succeeded, string.Join("; ", outcome.Diagnostics));
        var updated = Modules.Parse("cons-dev", (await h.Store.GetModuleAsync("cons-dev", Ct))!.Definition);
        Assert.Equal(("cons-dev", 321L, "srvWork", "dev", "6"), (updated.VmName, updated.VmId!.Value, updated.Zone0, updated.Text("variant"), updated.Text("cores")));
    }

    [Fact]
    public async Task Delete_stops_when_delete_sh_fails_and_provider_hooks_get_the_vmid_and_node()
    {
        await using var h = await EngineHarness.CreateAsync();
        h.Module("backup", """{"description": "backups", "version": "1.0", "provides": ["vm"]}""",
            ("services/vm/install-service.sh", "#!/bin/sh\n"), ("services/vm/update-service.sh", "#!/bin/sh\n"),
            ("services/vm/delete-service.sh", "#!/bin/sh\necho \"$1 vmid=$TAPPAAS_VMID_OVERRIDE node=$TAPPAAS_NODE_OVERRIDE\" > \"$TAPPAAS_SITE/deleted\"\n"));
        var app = EngineHarness.App(extraDeps: ", \"backup:vm\"");
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Source("backup"), h.Module("app", app, ("delete.sh", "#!/bin/sh\necho 'refusing: the data is not exported yet'\nexit 1\n"))],
            new EngineOptions(), Ct);

        var refused = await h.Engine.DeleteAsync("app", new EngineOptions { Archive = false }, Ct);
        Assert.Equal(ApplyStatus.RolledBack, refused.Status);
        Assert.Contains(refused.Diagnostics, d => d.Message.Contains("delete.sh for app failed (exit 1); it printed last: refusing: the data is not exported yet", StringComparison.Ordinal));
        Assert.Equal("installed", (await h.Store.GetModuleAsync("app", Ct))!.Status);
        Assert.Equal(["tappaas-app--cluster-vm"], h.Objects); // the guest was not touched

        File.Delete(Path.Combine(h.Sources, "app", "delete.sh")); // the operator exported the data
        var removed = await h.Engine.DeleteAsync("app", new EngineOptions { Archive = false }, Ct);
        Assert.Equal(ApplyStatus.Succeeded, removed.Status);
        Assert.Equal($"app vmid=300 node={Environment.MachineName.ToLowerInvariant()}", File.ReadAllText(Path.Combine(h.Layout.Root, "deleted")).Trim());
    }

    [Fact]
    public async Task An_archived_module_installs_again_only_with_force()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Module("app", EngineHarness.App())], new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.Succeeded, (await h.Engine.DeleteAsync("app", new EngineOptions(), Ct)).Status);

        var refused = await h.Engine.InstallAsync([h.Source("app")], new EngineOptions(), Ct);
        Assert.Equal(EngineCodes.ArchivedNeedsForce, Assert.Single(refused.Diagnostics).Code);
        Assert.Equal("archived", (await h.Store.GetModuleAsync("app", Ct))!.Status);

        Assert.Equal(ApplyStatus.Succeeded, (await h.Engine.InstallAsync([h.Source("app")], new EngineOptions { Force = true }, Ct)).Status);
        Assert.Equal("installed", (await h.Store.GetModuleAsync("app", Ct))!.Status);
    }

    [Fact]
    public async Task A_provider_without_the_update_hook_of_a_service_it_provides_is_refused_at_install()
    {
        await using var h = await EngineHarness.CreateAsync();
        var db = h.Module("db", """{"description": "db", "version": "1.0", "provides": ["backup", "sql"]}""",
            ("services/sql/install-service.sh", "#!/bin/sh\n"), ("services/backup/install-service.sh", "#!/bin/sh\n"), ("services/backup/update-service.sh", "#!/bin/sh\n"));

        var refused = await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), db], new EngineOptions(), Ct);
        var d = Assert.Single(refused.Diagnostics);
        Assert.Equal(EngineCodes.ServiceHooksMissing, d.Code);
        Assert.Contains("\"db\" provides \"sql\" but has no services/sql/update-service.sh", d.Message, StringComparison.Ordinal);
        Assert.Equal((db.Definition.File, "$.provides[1]", 1), (d.Location!.File, d.Location.JsonPath, d.Location.Line));
        Assert.Null(await h.Store.GetModuleAsync("cluster", Ct)); // nothing of the run happened
        Assert.False(File.Exists(h.Layout.ModuleFile("db")));
    }

    [Fact]
    public async Task An_installs_diagnostics_point_into_the_operators_own_file()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster)], new EngineOptions(), Ct);
        const string OneLine = """{"description": "c", "version": "1.0", "vmid": 330, "zone0": "srvHome", "dependsOn": ["cluster:vm", "nosuch:svc"], "config": {"cluster:vm": {"image": "x"}}}""";
        var cons = h.Module("cons", OneLine);

        var refused = await h.Engine.InstallAsync([cons], new EngineOptions(), Ct);
        var d = Assert.Single(refused.Diagnostics, x => x.Code == DiagnosticCodes.ProviderMissing);
        Assert.Equal((cons.Definition.File, "$.dependsOn[1]", 1, OneLine.IndexOf("\"nosuch:svc\"", StringComparison.Ordinal) + 1),
            (d.Location!.File, d.Location.JsonPath, d.Location.Line, d.Location.Column));

        var (plan, _, planned) = await h.Engine.PlanAsync([cons], Ct);
        Assert.Null(plan);
        Assert.Equal(d.Location, Assert.Single(planned, x => x.Code == DiagnosticCodes.ProviderMissing).Location);
    }

    [Fact]
    public async Task A_missing_test_hook_is_reported_skipped_not_ok()
    {
        await using var h = await EngineHarness.CreateAsync();
        h.Module("db", """{"description": "db", "version": "1.0", "provides": ["sql"]}""",
            ("services/sql/install-service.sh", "#!/bin/sh\n"), ("services/sql/update-service.sh", "#!/bin/sh\n"));
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Source("db"),
            h.Module("app", EngineHarness.App(extraDeps: ", \"db:sql\""), ("test.sh", "#!/bin/sh\nexit 0\n"))], new EngineOptions(), Ct);

        var result = await h.Engine.TestAsync("app", HookFlags.None, Ct);
        Assert.Equal(OperationStatus.Ok, result.Status);
        Assert.Contains("db:sql: skipped (db:sql has no test-service.sh)", result.Output, StringComparison.Ordinal);
        Assert.Contains("test.sh: ok", result.Output, StringComparison.Ordinal);
    }
}
