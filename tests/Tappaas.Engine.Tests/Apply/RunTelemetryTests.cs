using System.Collections.Concurrent;
using System.Diagnostics;
using Tappaas.Engine.Apply;

namespace Tappaas.Engine.Tests.Apply;

/// <summary>Runs are traced: one activity per run and one per step beneath it, so an OTLP collector shows where a run spent its time.</summary>
public sealed class RunTelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_is_one_activity_with_one_child_per_step_and_a_failing_step_marks_an_error()
    {
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is RunTelemetry.SourceName or nameof(RunTelemetryTests),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource(nameof(RunTelemetryTests));
        using var test = source.StartActivity("test")!; // tests run in parallel: only this trace's activities count

        await using var h = await EngineHarness.CreateAsync();
        await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster)], new EngineOptions(), Ct);
        h.Script(new[] { new { module = "app", service = "cluster:vm", operation = "install", failAlways = true } });
        var outcome = await h.Engine.InstallAsync([h.Module("app", EngineHarness.App())], new EngineOptions(), Ct);
        Assert.Equal(ApplyStatus.RolledBack, outcome.Status);

        var ours = stopped.Where(a => a.TraceId == test.TraceId).ToList();
        var run = Assert.Single(ours, a => a.OperationName == "run install" && (a.GetTagItem("tappaas.run") as long?) == outcome.ApplyId);
        Assert.Equal(ActivityStatusCode.Error, run.Status);
        var children = ours.Where(a => a.ParentSpanId == run.SpanId).OrderBy(a => a.StartTimeUtc).Select(a => a.OperationName).ToList();
        Assert.Equal(["step app:StageConfig", "step app/cluster:vm:ServiceInstall", "undo app:StageConfig"], children);
        Assert.Equal(ActivityStatusCode.Error, ours.Single(a => a.ParentSpanId == run.SpanId && a.OperationName == "step app/cluster:vm:ServiceInstall").Status);
    }
}
