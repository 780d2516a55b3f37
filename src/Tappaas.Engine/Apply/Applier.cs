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
        var steps = context.Payload.Steps;
        var completed = prior.Where(j => j.Phase == "completed").Select(j => j.Step).ToHashSet();
        var undone = prior.Where(j => j.Phase == "undone").Select(j => j.Step).ToHashSet();
        foreach (var j in prior.Where(j => j.Phase == "completed" && j.Detail.StartsWith("snapshot=", StringComparison.Ordinal)))
        {
            context.Snapshots[steps[j.Step].Module] = j.Detail["snapshot=".Length..];
        }

        var diagnostics = new List<Diagnostic>();
        var failed = prior.Any(j => j.Phase is "failed" or "undoing");
        var warned = false;
        if (!failed)
        {
            foreach (var step in steps.Where(s => !completed.Contains(s.Index)))
            {
                await JournalAsync(run.Id, step, "started", step.Reason, cancellationToken);
                OperationResult result;
                try
                {
                    result = await StepExecutor.RunAsync(step, context, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    result = OperationResult.Fail(OperationStatus.Fatal, $"{step.Address} threw {ex.GetType().Name}: {ex.Message}");
                }

                if (result.Succeeded || Tolerated(step, result, context.Payload))
                {
                    if (!result.Succeeded)
                    {
                        warned = true;
                        diagnostics.Add(Diagnostic.Warning(EngineCodes.Warning, null, $"{step.Address}: {result.Message}", WarningHint(step)));
                    }

                    await JournalAsync(run.Id, step, "completed", Detail(result), cancellationToken);
                    completed.Add(step.Index);
                    continue;
                }

                await JournalAsync(run.Id, step, "failed", result.Message, cancellationToken);
                diagnostics.Add(Diagnostic.Error(EngineCodes.StepFailed, null, $"{step.Address} failed: {result.Message}",
                    $"the completed steps were rolled back; see the module's log in {context.Layout.LogsDir} and 'tappaas journal'"));
                failed = true;
                break;
            }
        }
        else
        {
            diagnostics.Add(Diagnostic.Warning(EngineCodes.Warning, null, $"run {run.Id} ({run.Command}) had failed before the restart; finishing its rollback"));
        }

        if (!failed)
        {
            await store.FinishApplyAsync(run.Id, warned ? "succeeded-with-warnings" : "succeeded", cancellationToken);
            return new ApplyOutcome(warned ? ApplyStatus.SucceededWithWarnings : ApplyStatus.Succeeded, diagnostics, run.Id);
        }

        foreach (var step in steps.Where(s => completed.Contains(s.Index) && !undone.Contains(s.Index)).OrderByDescending(s => s.Index))
        {
            await JournalAsync(run.Id, step, "undoing", "", cancellationToken);
            OperationResult undo;
            try
            {
                undo = await StepExecutor.UndoAsync(step, context, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                undo = OperationResult.Fail(OperationStatus.Fatal, $"{ex.GetType().Name}: {ex.Message}");
            }

            if (!undo.Succeeded)
            {
                diagnostics.Add(Diagnostic.Error(EngineCodes.StepFailed, null, $"undoing {step.Address} failed: {undo.Message}", "check the object by hand; the journal lists what was done"));
            }

            await JournalAsync(run.Id, step, "undone", Detail(undo), cancellationToken);
        }

        await store.FinishApplyAsync(run.Id, "rolled-back", cancellationToken);
        return new ApplyOutcome(ApplyStatus.RolledBack, diagnostics, run.Id);
    }

    // Upstream semantics: a post-test that fails without being fatal keeps the update (exit 1); providers' delete hooks
    // warn and continue (the module's own delete.sh failing stops the delete: './delete.sh || die'); a failing pre-test
    // is tolerated with --force.
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

    private static string Detail(OperationResult result) =>
        result.Output.StartsWith("snapshot=", StringComparison.Ordinal) ? result.Output : (result.Succeeded ? Trim(result.Output) : result.Message);

    private static string Trim(string text) => text.Length <= 500 ? text.Trim() : text[..500] + "…";

    private async Task JournalAsync(long run, ApplyStep step, string phase, string detail, CancellationToken cancellationToken)
    {
        await store.AppendJournalAsync(new JournalEntry(run, step.Index, step.Address, phase, detail, time.GetUtcNow()), cancellationToken);
        CrashPoint.JournalWritten();
    }
}
