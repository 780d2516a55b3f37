using Tappaas.Abstractions.Providers;
using Tappaas.Abstractions.State;
using Tappaas.Model.Diagnostics;

namespace Tappaas.Engine.Apply;

/// <summary>
/// Runs the steps of a journalled run. Each step is journalled before ("started") and after ("completed" or
/// "failed") it runs. A failing step (fatal, or failed where failure is not tolerated) starts the rollback: every
/// completed step is undone in reverse, each undo journalled ("undoing", "undone"). A run found unfinished after a
/// crash continues where its journal stops: forward if no step had failed, otherwise with the rollback.
/// </summary>
internal sealed class Applier(IStateStore store, TimeProvider time)
{
    public async Task<ApplyOutcome> RunAsync(ApplyRecord run, StepContext context, IReadOnlyList<JournalEntry> prior, CancellationToken cancellationToken)
    {
        using var trace = RunTelemetry.Run(run, context.Payload);
        var steps = context.Payload.Steps;
        var completed = prior.Where(j => j.Phase == "completed").Select(j => j.Step).ToHashSet();
        var undone = prior.Where(j => j.Phase == "undone").Select(j => j.Step).ToHashSet();
        foreach (var j in prior.Where(j => j.Phase == "completed" && j.Detail.StartsWith("snapshot=", StringComparison.Ordinal)))
        {
            context.Snapshots[steps[j.Step].Module] = j.Detail["snapshot=".Length..];
        }

        // A provider's progress lines go to the journal as they come (the CLI and the API's progress stream follow it).
        var progress = new ProgressLines((step, detail) => JournalAsync(run.Id, step, "progress", Trim(detail), cancellationToken));
        context.Progress = progress.Add;
        var diagnostics = new List<Diagnostic>();
        var failed = prior.Any(j => j.Phase is "failed" or "undoing");
        var warned = false;
        if (!failed)
        {
            (failed, warned) = await ForwardAsync(run, context, progress, completed, diagnostics, cancellationToken);
        }
        else
        {
            diagnostics.Add(Diagnostic.Warning(EngineCodes.Warning, null, $"run {run.Id} ({run.Command}) had failed before the restart; finishing its rollback"));
        }

        if (!failed)
        {
            await store.FinishApplyAsync(run.Id, warned ? "succeeded-with-warnings" : "succeeded", cancellationToken);
            trace?.SetTag("tappaas.status", warned ? "succeeded-with-warnings" : "succeeded");
            return new ApplyOutcome(warned ? ApplyStatus.SucceededWithWarnings : ApplyStatus.Succeeded, diagnostics, run.Id);
        }

        foreach (var step in steps.Where(s => completed.Contains(s.Index) && !undone.Contains(s.Index)).OrderByDescending(s => s.Index))
        {
            await JournalAsync(run.Id, step, "undoing", "", cancellationToken);
            var undo = await TracedAsync(step, "undo", () => StepExecutor.UndoAsync(step, context, cancellationToken), "");
            await progress.FlushAsync();

            if (!undo.Succeeded)
            {
                diagnostics.Add(Diagnostic.Error(EngineCodes.StepFailed, null, $"undoing {step.Address} failed: {undo.Message}", "check the object by hand; the journal lists what was done"));
            }

            await JournalAsync(run.Id, step, "undone", Detail(undo), cancellationToken);
        }

        await store.FinishApplyAsync(run.Id, "rolled-back", cancellationToken);
        trace?.SetTag("tappaas.status", "rolled-back").SetStatus(System.Diagnostics.ActivityStatusCode.Error, diagnostics.FirstOrDefault()?.Message);
        return new ApplyOutcome(ApplyStatus.RolledBack, diagnostics, run.Id);
    }

    /// <summary>
    /// Runs the steps not yet completed, the independent modules' lanes side by side (at most
    /// <see cref="MaxParallelModules"/> at once). A provider without <see cref="ProviderCapabilities.Concurrent"/> gets one
    /// call at a time, as do module hooks and tests (scripts written for one at a time). After a step fails no lane starts
    /// another; the ones running finish theirs, and the rollback undoes what completed.
    /// </summary>
    private async Task<(bool Failed, bool Warned)> ForwardAsync(ApplyRecord run, StepContext context, ProgressLines progress, HashSet<int> completed, List<Diagnostic> diagnostics,
        CancellationToken cancellationToken)
    {
        var steps = context.Payload.Steps;
        // Each step's gate once: a service step's comes from its provider, which resolving re-reads the site's configuration.
        var gateOf = steps.ToDictionary(s => s.Index, s => GateOf(s, context));
        var gates = new System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim>(StringComparer.Ordinal);
        var lanes = ModuleLanes.Of(steps, [.. steps.Where(s => !completed.Contains(s.Index))], context, step => gateOf[step.Index] is null);
        var finished = lanes.ToDictionary(l => l.Module, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), StringComparer.Ordinal);
        using var throttle = new SemaphoreSlim(MaxParallelModules);
        var failed = false;
        var warned = false;

        async Task LaneAsync(ModuleLane lane)
        {
            try
            {
                foreach (var before in lane.After)
                {
                    await finished[before].Task;
                }

                await throttle.WaitAsync(cancellationToken);
                try
                {
                    foreach (var step in lane.Steps)
                    {
                        if (Volatile.Read(ref failed))
                        {
                            return;
                        }

                        var gate = gateOf[step.Index] is { } key ? gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1)) : null;
                        OperationResult result;
                        if (gate is not null)
                        {
                            await gate.WaitAsync(cancellationToken);
                        }

                        try
                        {
                            await JournalAsync(run.Id, step, "started", step.Reason, cancellationToken);
                            result = await TracedAsync(step, "step", () => StepExecutor.RunAsync(step, context, cancellationToken), $"{step.Address} threw ");
                        }
                        finally
                        {
                            gate?.Release();
                        }

                        await progress.FlushAsync();
                        if (result.Succeeded || Tolerated(step, result, context.Payload))
                        {
                            if (!result.Succeeded)
                            {
                                lock (diagnostics)
                                {
                                    warned = true;
                                    diagnostics.Add(Diagnostic.Warning(EngineCodes.Warning, Where(result), $"{step.Address}: {result.Message}", WarningHint(step)));
                                }
                            }

                            await JournalAsync(run.Id, step, "completed", Detail(result), cancellationToken);
                            lock (completed)
                            {
                                completed.Add(step.Index);
                            }

                            continue;
                        }

                        Volatile.Write(ref failed, true);
                        await JournalAsync(run.Id, step, "failed", result.Message, cancellationToken);
                        lock (diagnostics)
                        {
                            diagnostics.Add(Diagnostic.Error(EngineCodes.StepFailed, Where(result), $"{step.Address} failed: {result.Message}",
                                $"the completed steps were rolled back; see the module's log in {context.Layout.LogsDir} and 'tappaas journal'"));
                        }

                        return;
                    }
                }
                finally
                {
                    throttle.Release();
                }
            }
            finally
            {
                finished[lane.Module].TrySetResult();
            }
        }

        await Task.WhenAll(lanes.Select(LaneAsync));
        return (failed, warned);
    }

    /// <summary>How many modules' lanes of one run run at once.</summary>
    public static int MaxParallelModules { get; } = Math.Max(4, 4 * Environment.ProcessorCount);

    // Which one-at-a-time gate a step passes, or null when it may run beside any other: scripts (hooks and tests) share
    // one, snapshots one, each provider without the concurrent capability one of its own.
    private static string? GateOf(ApplyStep step, StepContext context) => step.Kind switch
    {
        StepKind.ModuleHook or StepKind.PreTest or StepKind.PostTest => "scripts",
        StepKind.Snapshot => "snapshots",
        StepKind.ServiceInstall or StepKind.ServiceUpdate or StepKind.ServiceDelete
            => context.Provider(step).Info.Capabilities.HasFlag(ProviderCapabilities.Concurrent) ? null : "provider " + step.Service,
        _ => null,
    };

    // Upstream semantics: a post-test that fails without being fatal keeps the update (exit 1); providers' delete hooks
    // warn and continue (the module's own delete.sh failing stops the delete: './delete.sh || die'); a failing pre-test
    // is tolerated with --force.
    /// <summary>Runs a step or its undo as one traced activity; a provider's exception becomes a fatal result, never a crash of the run.</summary>
    private static async Task<OperationResult> TracedAsync(ApplyStep step, string phase, Func<ValueTask<OperationResult>> body, string threw)
    {
        using var span = RunTelemetry.Step(step, phase);
        OperationResult result;
        try
        {
            result = await body();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            result = OperationResult.Fail(OperationStatus.Fatal, $"{threw}{ex.GetType().Name}: {ex.Message}");
        }

        RunTelemetry.End(span, result);
        return result;
    }

    private static bool Tolerated(ApplyStep step, OperationResult result, ApplyPayload payload) => step.Kind switch
    {
        StepKind.PostTest => result.Status == OperationStatus.Failed,
        StepKind.PreTest => payload.Force,
        StepKind.ServiceDelete => true,
        _ => false,
    };

    private static string WarningHint(ApplyStep step) => step.Kind switch
    {
        StepKind.PostTest => "the update is kept; fix what the test reports and run 'tappaas test'",
        StepKind.ServiceDelete => "remove the leftover by hand if it still exists",
        _ => "",
    };

    // Where the failing provider says the problem is (the service in the module's file), when it says.
    private static SourceLocation? Where(OperationResult result) => result.Diagnostics.Select(d => d.Location).FirstOrDefault(l => l is not null);

    private static string Detail(OperationResult result) =>
        result.Output.StartsWith("snapshot=", StringComparison.Ordinal) ? result.Output : (result.Succeeded ? Trim(result.Output) : result.Message);

    private static string Trim(string text) => text.Length <= 500 ? text.Trim() : text[..500] + "…";

    private async Task JournalAsync(long run, ApplyStep step, string phase, string detail, CancellationToken cancellationToken)
    {
        await store.AppendJournalAsync(new JournalEntry(run, step.Index, step.Address, phase, detail, time.GetUtcNow()), cancellationToken);
        CrashPoint.JournalWritten();
    }
}
