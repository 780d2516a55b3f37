using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Apply;

namespace Tappaas.Engine.Tests.Apply;

public sealed class SiteEngineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Install_records_the_module_writes_upstream_files_and_creates_objects()
    {
        await using var h = await EngineHarness.CreateAsync();
        var outcome = await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Module("app", EngineHarness.App())], new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.Succeeded, outcome.Status);
        Assert.Equal(["tappaas-app--cluster-vm"], h.Objects);
        var app = (await h.Store.GetModuleAsync("app", Ct))!;
        Assert.Equal((1, "installed"), (app.Revision, app.Status));
        Assert.Contains("\"location\":", File.ReadAllText(h.Layout.ModuleFile("app")), StringComparison.Ordinal);
        Assert.Contains("\"installTime\":", app.Definition, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(Path.Combine(h.Sources, "app", "app.json")), File.ReadAllText(h.Layout.OrigFile("app")));
        var journal = await h.Store.ReadJournalAsync(outcome.ApplyId!.Value, Ct);
        Assert.All(journal.GroupBy(j => j.Step), g => Assert.Equal(["started", "completed"], g.Select(j => j.Phase)));
    }

    [Fact]
    public async Task Failing_install_step_undoes_everything_and_leaves_no_config()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster)], new EngineOptions(), Ct);
        var app = h.Module("app", EngineHarness.App(extraDeps: ", \"cluster:lxc\"").Replace("\"cluster:lxc\"", "\"cluster:ha\"", StringComparison.Ordinal));
        h.Module("cluster", """{"description": "cluster", "version": "1.0", "provides": ["vm", "ha"]}""");
        await h.Engine.InstallAsync([h.Source("cluster")], new EngineOptions { Force = true }, Ct);
        h.Script(new[] { new { module = "app", service = "cluster:ha", operation = "install", failAlways = true } });

        var outcome = await h.Engine.InstallAsync([app], new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.RolledBack, outcome.Status);
        Assert.Empty(h.Objects);
        Assert.False(File.Exists(h.Layout.ModuleFile("app")));
        Assert.False(File.Exists(h.Layout.OrigFile("app")));
        Assert.Null(await h.Store.GetModuleAsync("app", Ct));
        Assert.Contains(h.Calls, c => c == "delete app cluster:vm");
        var phases = (await h.Store.ReadJournalAsync(outcome.ApplyId!.Value, Ct)).Select(j => j.Phase).ToList();
        Assert.Contains("failed", phases);
        Assert.Equal(phases.Count(p => p == "completed"), phases.Count(p => p == "undone"));
        Assert.Contains(await h.Store.ReadEventsAsync(0, 100, Ct), e => e.Kind == "install-rolled-back" && e.Module == "app");

        // The failure points at the service in the module's installed copy: its item in dependsOn (cluster:ha has no config block).
        var failed = Assert.Single(outcome.Diagnostics, d => d.Code == EngineCodes.StepFailed);
        Assert.Equal((h.Layout.ModuleFile("app"), "$.dependsOn[1]"), (failed.Location!.File, failed.Location.JsonPath));
        Assert.True(failed.Location.Line > 0);
    }

    [Fact]
    public async Task A_failing_provider_points_at_its_config_block_in_the_module()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster)], new EngineOptions(), Ct);
        h.Script(new[] { new { module = "app", service = "cluster:vm", operation = "install", failAlways = true } });

        var outcome = await h.Engine.InstallAsync([h.Module("app", EngineHarness.App())], new EngineOptions(), Ct);
        var failed = Assert.Single(outcome.Diagnostics, d => d.Code == EngineCodes.StepFailed);
        Assert.Equal((h.Layout.ModuleFile("app"), "$.config[\"cluster:vm\"]"), (failed.Location!.File, failed.Location.JsonPath));
    }

    [Fact]
    public async Task Install_of_an_installed_module_is_refused_without_force()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster)], new EngineOptions(), Ct);
        var again = await h.Engine.InstallAsync([h.Source("cluster")], new EngineOptions(), Ct);
        Assert.Equal(EngineCodes.AlreadyInstalled, Assert.Single(again.Diagnostics).Code);
        Assert.Equal(1, await h.Store.GetRevisionAsync(Ct));
    }

    [Fact]
    public async Task Invalid_definition_is_refused_and_changes_nothing()
    {
        await using var h = await EngineHarness.CreateAsync();
        var bad = h.Module("bad", """{"vmid": 5, "zone0": "nowhere", "dependsOn": ["cluster:vm"]}""");
        var outcome = await h.Engine.InstallAsync([bad], new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.Refused, outcome.Status);
        Assert.Contains(outcome.Diagnostics, d => d.Location?.JsonPath == "$.zone0");
        Assert.Empty(await h.Store.ListAppliesAsync(10, Ct));
        Assert.False(File.Exists(h.Layout.ModuleFile("bad")));
    }

    [Fact]
    public async Task Update_merges_and_a_fatal_step_rolls_back_to_the_snapshot_and_previous_revision()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Module("app", EngineHarness.App(cores: 2))], new EngineOptions(), Ct);
        var before = File.ReadAllText(h.Layout.ModuleFile("app"));
        h.Module("app", EngineHarness.App(cores: 4), ("update.sh", "#!/bin/sh\necho broken >&2\nexit 2\n"));

        var outcome = await h.Engine.UpdateAsync("app", new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.RolledBack, outcome.Status);
        Assert.Equal(before, File.ReadAllText(h.Layout.ModuleFile("app")));
        var history = await h.Store.HistoryAsync("app", Ct);
        Assert.Equal(1, (await h.Store.GetModuleAsync("app", Ct))!.Revision);
        Assert.Single(history);
        Assert.Contains(h.Calls, c => c == "restore app cluster:vm");
        Assert.Contains("broken", File.ReadAllText(Path.Combine(h.Layout.LogsDir, "app.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scale_records_a_revision_with_the_new_replica_count_and_refuses_what_cannot_scale()
    {
        await using var h = await EngineHarness.CreateAsync();
        var app = "{\"description\": \"app\", \"version\": \"1.0\", \"vmid\": 300, \"zone0\": \"srvHome\", \"dependsOn\": [\"cluster:vm\"], " +
            "\"config\": {\"cluster:vm\": {\"image\": \"8080\", \"workload\": {\"command\": \"/bin/true\", \"replicas\": 2}}}}";
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Module("app", app), h.Module("plain", EngineHarness.App().Replace("300", "301", StringComparison.Ordinal))], new EngineOptions(), Ct);

        var outcome = await h.Engine.ScaleAsync("app", 5, new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.Succeeded, outcome.Status);
        var record = (await h.Store.GetModuleAsync("app", Ct))!;
        Assert.Equal(2, record.Revision);
        Assert.Equal(5, System.Text.Json.JsonDocument.Parse(record.Definition).RootElement.GetProperty("config").GetProperty("cluster:vm").GetProperty("workload").GetProperty("replicas").GetInt32());
        Assert.Contains("\"replicas\": 5", File.ReadAllText(h.Layout.ModuleFile("app")), StringComparison.Ordinal);
        Assert.Contains((await h.Store.HistoryAsync("app", Ct)), r => r.Reason.Contains("scale from 2 to 5 replicas", StringComparison.Ordinal));

        // A scale tests nothing after the change (the guest provider waited for each new replica to be ready); an update does.
        var scaleRun = (await h.Store.ListAppliesAsync(1, Ct))[0];
        var scaleSteps = (await h.Store.ReadJournalAsync(scaleRun.Id, Ct)).Select(e => e.Address).ToList();
        Assert.Contains("app:Commit", scaleSteps);
        Assert.DoesNotContain("app:PostTest", scaleSteps);

        Assert.Equal(ApplyStatus.Refused, (await h.Engine.ScaleAsync("plain", 2, new EngineOptions(), Ct)).Status);
        Assert.Equal(ApplyStatus.Refused, (await h.Engine.ScaleAsync("app", 65, new EngineOptions(), Ct)).Status);
        Assert.Equal(ApplyStatus.Refused, (await h.Engine.ScaleAsync("ghost", 1, new EngineOptions(), Ct)).Status);
        Assert.Equal(2, (await h.Store.GetModuleAsync("app", Ct))!.Revision); // refusals change nothing
        Assert.Equal(ApplyStatus.Succeeded, (await h.Engine.UpdateAsync("app", new EngineOptions { Force = true }, Ct)).Status);
        Assert.Contains("app:PostTest", (await h.Store.ReadJournalAsync((await h.Store.ListAppliesAsync(1, Ct))[0].Id, Ct)).Select(e => e.Address));
    }

    [Fact]
    public async Task Updates_keep_only_snapshotRetention_pre_update_snapshots()
    {
        await using var h = await EngineHarness.CreateAsync();
        var config = File.ReadAllText(h.Layout.ConfigurationFile);
        Assert.Contains("\"snapshotRetention\": 5", config, StringComparison.Ordinal);
        File.WriteAllText(h.Layout.ConfigurationFile, config.Replace("\"snapshotRetention\": 5", "\"snapshotRetention\": 2", StringComparison.Ordinal));
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Module("app", EngineHarness.App(cores: 1))], new EngineOptions(), Ct);
        for (var cores = 2; cores <= 5; cores++)
        {
            h.Module("app", EngineHarness.App(cores: cores));
            Assert.Equal(ApplyStatus.Succeeded, (await h.Engine.UpdateAsync("app", new EngineOptions(), Ct)).Status);
        }

        Assert.Equal(2, Directory.GetDirectories(Path.Combine(h.Layout.Root, "fake", "snapshots", "app")).Length);
    }

    [Fact]
    public async Task Update_keeps_operator_changes_and_adopts_release_values()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Module("app", EngineHarness.App(cores: 2))], new EngineOptions(), Ct);
        // The operator edits the installed copy, as upstream's operators do: its edits are their desired state.
        File.WriteAllText(h.Layout.ModuleFile("app"), File.ReadAllText(h.Layout.ModuleFile("app")).Replace("\"description\": \"app\"", "\"description\": \"mine\"", StringComparison.Ordinal));
        h.Module("app", EngineHarness.App(cores: 4));

        var outcome = await h.Engine.UpdateAsync("app", new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.Succeeded, outcome.Status);
        var now = (await h.Store.GetModuleAsync("app", Ct))!.Definition;
        Assert.Contains("\"cores\": 4", now, StringComparison.Ordinal);
        Assert.Contains("\"description\": \"mine\"", now, StringComparison.Ordinal);
        Assert.Contains("\"updateTime\":", now, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_test_failure_that_is_not_fatal_keeps_the_update_with_a_warning()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Module("app", EngineHarness.App())], new EngineOptions(), Ct);
        h.Module("app", EngineHarness.App(cores: 3), ("test.sh", "#!/bin/sh\n[ -f ran-once ] && exit 1\ntouch ran-once\nexit 0\n"));
        var outcome = await h.Engine.UpdateAsync("app", new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.SucceededWithWarnings, outcome.Status);
        Assert.Equal(2, (await h.Store.GetModuleAsync("app", Ct))!.Revision);
    }

    [Fact]
    public async Task Delete_is_refused_while_others_depend_and_archives_by_default()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Module("app", EngineHarness.App())], new EngineOptions(), Ct);
        var refused = await h.Engine.DeleteAsync("cluster", new EngineOptions(), Ct);
        Assert.Equal(EngineCodes.HasDependents, Assert.Single(refused.Diagnostics).Code);
        Assert.Contains("\"app\"", refused.Diagnostics[0].Message, StringComparison.Ordinal);

        var archived = await h.Engine.DeleteAsync("app", new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.Succeeded, archived.Status);
        Assert.Equal("archived", (await h.Store.GetModuleAsync("app", Ct))!.Status);
        Assert.Contains("\"status\": \"archived\"", File.ReadAllText(h.Layout.ModuleFile("app")), StringComparison.Ordinal);
        Assert.Empty(h.Objects);

        var removed = await h.Engine.DeleteAsync("app", new EngineOptions { Archive = false }, Ct);
        Assert.Equal(ApplyStatus.Succeeded, removed.Status);
        Assert.Null(await h.Store.GetModuleAsync("app", Ct));
        Assert.False(File.Exists(h.Layout.ModuleFile("app")));
        Assert.Equal(ApplyStatus.Succeeded, (await h.Engine.DeleteAsync("cluster", new EngineOptions { Archive = false }, Ct)).Status);
    }

    [Fact]
    public async Task Archive_keeps_backup_entries()
    {
        await using var h = await EngineHarness.CreateAsync();
        h.Module("backup", """{"description": "b", "version": "1.0", "provides": ["vm"]}""",
            ("services/vm/install-service.sh", "#!/bin/sh\ntouch \"$TAPPAAS_SITE/backup-$1\"\n"), ("services/vm/update-service.sh", "#!/bin/sh\n"),
            ("services/vm/delete-service.sh", "#!/bin/sh\nrm -f \"$TAPPAAS_SITE/backup-$1\"\n"));
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Source("backup"), h.Module("app", EngineHarness.App(extraDeps: ", \"backup:vm\""))], new EngineOptions(), Ct);
        Assert.True(File.Exists(Path.Combine(h.Layout.Root, "backup-app")));
        await h.Engine.DeleteAsync("app", new EngineOptions(), Ct);
        Assert.True(File.Exists(Path.Combine(h.Layout.Root, "backup-app")));
        await h.Engine.DeleteAsync("app", new EngineOptions { Archive = false }, Ct);
        Assert.False(File.Exists(Path.Combine(h.Layout.Root, "backup-app")));
    }

    [Fact]
    public async Task Rollback_reapplies_an_earlier_revision_as_a_new_one()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Module("app", EngineHarness.App(cores: 2))], new EngineOptions(), Ct);
        h.Module("app", EngineHarness.App(cores: 6));
        await h.Engine.UpdateAsync("app", new EngineOptions(), Ct);
        var outcome = await h.Engine.RollbackAsync("app", 1, new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.Succeeded, outcome.Status);
        var history = await h.Store.HistoryAsync("app", Ct);
        Assert.Equal(["install", "update", "rollback to r1"], history.Select(r => r.Reason));
        Assert.Contains("\"cores\": 2", history[^1].Definition, StringComparison.Ordinal);
        Assert.Equal(EngineCodes.UnknownRevision, (await h.Engine.RollbackAsync("app", 42, new EngineOptions(), Ct)).Diagnostics[0].Code);
    }

    [Fact]
    public async Task Stale_plan_is_refused()
    {
        await using var h = await EngineHarness.CreateAsync();
        var (plan, run, _) = await h.Engine.PlanAsync([h.Module("cluster", EngineHarness.Cluster)], Ct);
        Assert.True(plan!.HasChanges);
        await h.Engine.InstallAsync([h.Source("cluster")], new EngineOptions(), Ct);
        var outcome = await h.Engine.ApplyPlanAsync(run!, new EngineOptions(), Ct);
        var d = Assert.Single(outcome.Diagnostics);
        Assert.Equal(EngineCodes.StalePlan, d.Code);
        Assert.Contains("stale", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_held_lock_refuses_with_the_holder()
    {
        await using var h = await EngineHarness.CreateAsync();
        var now = DateTimeOffset.UtcNow;
        Assert.Null(await h.Store.TryAcquireLockAsync(new("other", Environment.MachineName, Environment.ProcessId, "update", now, now.AddMinutes(5)), _ => false, Ct));
        var outcome = await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster)], new EngineOptions(), Ct);
        var d = Assert.Single(outcome.Diagnostics);
        Assert.Equal(EngineCodes.Locked, d.Code);
        Assert.Contains($"locked by {Environment.MachineName}:{Environment.ProcessId} (update)", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_aggregates_dependencies_and_the_module()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Module("app", EngineHarness.App(), ("test.sh", "#!/bin/sh\nexit 1\n"))], new EngineOptions(), Ct);
        Assert.Equal(OperationStatus.Failed, (await h.Engine.TestAsync("app", HookFlags.None, Ct)).Status);
        File.Delete(Path.Combine(h.Layout.Root, "fake", "objects", "tappaas-app--cluster-vm.json"));
        Assert.Equal(OperationStatus.Fatal, (await h.Engine.TestAsync("app", HookFlags.None, Ct)).Status);
    }
}
