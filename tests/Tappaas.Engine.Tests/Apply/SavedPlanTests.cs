using System.Text.Json;
using Tappaas.Abstractions.Plans;
using Tappaas.Engine.Apply;

namespace Tappaas.Engine.Tests.Apply;

/// <summary>
/// The plan shown is the plan applied: a plan carries its run, <c>ApplyPlanAsync</c> runs exactly those steps (checking the
/// state revision under the lock), and what providers observe feeds the plan, so a vanished object is drift that apply repairs.
/// </summary>
public sealed class SavedPlanTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Apply_runs_exactly_the_steps_the_plan_showed_after_a_round_trip_through_json()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Module("app", EngineHarness.App())], new EngineOptions(), Ct);
        h.Module("app", EngineHarness.App(cores: 4));
        h.Module("web", EngineHarness.App().Replace("300", "301", StringComparison.Ordinal));

        var (plan, run, _) = await h.Engine.PlanAsync([h.Source("app"), h.Source("web")], Ct);
        Assert.True(plan!.HasChanges);
        var shown = run!.Steps.Select(s => s.Address).ToList();
        Assert.Contains("web:install.sh", shown);   // the new module is installed ...
        Assert.Contains("app:update.sh", shown);    // ... and the changed one updated, in one run
        Assert.Contains("app/cluster:vm:ServiceUpdate", shown);

        var saved = JsonSerializer.Deserialize<ApplyPayload>(JsonSerializer.Serialize(run))!; // as 'plan --out' keeps it
        var outcome = await h.Engine.ApplyPlanAsync(saved, new EngineOptions(), Ct);
        Assert.True(outcome.Status == ApplyStatus.Succeeded, string.Join("; ", outcome.Diagnostics));

        var journal = await h.Store.ReadJournalAsync(outcome.ApplyId!.Value, Ct);
        Assert.Equal(shown, journal.Where(j => j.Phase == "completed").Select(j => j.Address).ToList());
        Assert.Equal("4", Modules.Parse("app", (await h.Store.GetModuleAsync("app", Ct))!.Definition).Text("cores"));
        Assert.Equal("installed", (await h.Store.GetModuleAsync("web", Ct))!.Status);
        var events = (await h.Store.ReadEventsAsync(0, 100, Ct)).Select(e => (e.Module, e.Kind)).ToList();
        Assert.Contains(("web", "installed"), events);
        Assert.Contains(("app", "updated"), events);

        var (again, _, _) = await h.Engine.PlanAsync([], Ct);
        Assert.False(again!.HasChanges);
    }

    [Fact]
    public async Task A_plan_made_before_another_change_is_refused_under_the_lock_and_changes_nothing()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Module("app", EngineHarness.App())], new EngineOptions(), Ct);
        h.Module("app", EngineHarness.App(cores: 4));
        var (_, run, _) = await h.Engine.PlanAsync([h.Source("app")], Ct);
        Assert.Equal(ApplyStatus.Succeeded, (await h.Engine.UpdateAsync("app", new EngineOptions(), Ct)).Status);
        var revision = (await h.Store.GetModuleAsync("app", Ct))!.Revision;

        var outcome = await h.Engine.ApplyPlanAsync(run!, new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.Refused, outcome.Status);
        Assert.Equal(EngineCodes.StalePlan, Assert.Single(outcome.Diagnostics).Code);
        Assert.Equal(revision, (await h.Store.GetModuleAsync("app", Ct))!.Revision);
    }

    [Fact]
    public async Task A_run_that_is_not_a_plans_is_refused()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster)], new EngineOptions(), Ct);
        var forged = new ApplyPayload
        {
            Command = "apply",
            StateRevision = await h.Store.GetRevisionAsync(Ct),
            Steps = [new ApplyStep(0, StepKind.Remove, "cluster")], // a module the run carries nothing for
        };

        var outcome = await h.Engine.ApplyPlanAsync(forged, new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.Refused, outcome.Status);
        Assert.Equal("installed", (await h.Store.GetModuleAsync("cluster", Ct))!.Status);
    }

    [Fact]
    public async Task An_object_the_provider_no_longer_finds_is_drift_that_the_plans_run_recreates()
    {
        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), h.Module("app", EngineHarness.App())], new EngineOptions(), Ct);
        var (clean, _, _) = await h.Engine.PlanAsync([], Ct);
        Assert.False(clean!.HasChanges);
        var vm = Assert.Single(h.Objects);
        File.Delete(Path.Combine(h.Layout.Root, "fake", "objects", vm + ".json")); // the VM vanished behind the platform's back

        var (plan, run, _) = await h.Engine.PlanAsync([], Ct);
        var change = Assert.Single(plan!.Changes, c => c.Address == "app");
        Assert.Equal(ChangeAction.Create, change.Action);
        Assert.Contains($"cluster:vm found no {vm}", change.Reasons[0], StringComparison.Ordinal);
        Assert.Contains("app/cluster:vm:ServiceInstall", run!.Steps.Select(s => s.Address));

        var outcome = await h.Engine.ApplyPlanAsync(run, new EngineOptions(), Ct);
        Assert.True(outcome.Status == ApplyStatus.Succeeded, string.Join("; ", outcome.Diagnostics));
        Assert.Equal([vm], h.Objects);
        var (repaired, _, _) = await h.Engine.PlanAsync([], Ct);
        Assert.False(repaired!.HasChanges);
    }
}
