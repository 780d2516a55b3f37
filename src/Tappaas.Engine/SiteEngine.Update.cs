using Tappaas.Abstractions.State;
using Tappaas.Engine.Apply;
using Tappaas.Engine.Planning;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Modules;

namespace Tappaas.Engine;

public sealed partial class SiteEngine
{
    /// <summary>
    /// Updates an installed module from its release (upstream's flow): 3-way merge of the module file, snapshot,
    /// pre-test, pre-update.sh, every provider's update, update.sh, post-test. Any fatal step rolls back to the
    /// snapshot and the previous revision.
    /// </summary>
    public Task<ApplyOutcome> UpdateAsync(string module, EngineOptions options, CancellationToken cancellationToken)
    {
        var notes = new List<Diagnostic>();
        return RunLockedAsync("update", options.Flags, async () =>
        {
            if (await Installed(module, cancellationToken) is not { } record)
            {
                return (null, NotInstalled(module));
            }

            var (merged, refusal) = await MergeReleaseAsync(record, null, cancellationToken);
            if (merged is null)
            {
                return (null, refusal);
            }

            // The merged module is checked where its values came from: the installed copy, else the release.
            if (Validate([Parse(module, merged.Definition)]) is { } invalid)
            {
                return (null, invalid with { Diagnostics = Relocate(invalid.Diagnostics, new Dictionary<string, ModuleDefinition> { [module] = merged.Current.Has("location") ? merged.Current : merged.Release }) });
            }

            notes.AddRange(merged.Notes);
            var (pinned, unresolved) = await PinImageAsync(module, merged.Definition, cancellationToken);
            if (unresolved is not null)
            {
                return (null, unresolved);
            }

            return await ConvergeAsync("update", module, record, pinned!, merged.ReleaseText, merged.Folder, "update", options, cancellationToken);
        }, cancellationToken, notes);
    }

    /// <summary>Re-applies an earlier revision of a module (default: the one before the current) as a new revision.</summary>
    public Task<ApplyOutcome> RollbackAsync(string module, int? toRevision, EngineOptions options, CancellationToken cancellationToken) =>
        RunLockedAsync("rollback", options.Flags, async () =>
        {
            if (await Installed(module, cancellationToken) is not { } record)
            {
                return (null, NotInstalled(module));
            }

            var history = await Store.HistoryAsync(module, cancellationToken);
            var target = toRevision is { } rev ? history.FirstOrDefault(h => h.Revision == rev) : history.LastOrDefault(h => h.Revision < record.Revision && h.Definition != record.Definition);
            if (target is null)
            {
                return (null, ApplyOutcome.Refuse(EngineCodes.UnknownRevision,
                    toRevision is null ? $"\"{module}\" has no earlier revision to roll back to" : $"\"{module}\" has no revision {toRevision}",
                    $"see 'tappaas history {module}' for its revisions (1..{record.Revision})"));
            }

            var location = Parse(module, record.Definition).Text("location") ?? Layout.ConfigDir;
            return await ConvergeAsync("rollback", module, record, target.Definition, null, location, $"rollback to r{target.Revision}", options, cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// The run that brings an installed module to <paramref name="definition"/>: planned against the recorded site like
    /// any plan (so a provider that is gone refuses it), its steps from the one step builder. Update, rollback and scale
    /// converge even when the plan finds nothing changed: the providers and update.sh reconcile what they own.
    /// </summary>
    private async Task<(ApplyPayload? Payload, ApplyOutcome? Refusal)> ConvergeAsync(string command, string module, InstalledModule record, string definition, string? releaseText,
        string folder, string reason, EngineOptions options, CancellationToken cancellationToken)
    {
        var desired = Parse(module, definition);
        var recorded = (await Store.ListModulesAsync(cancellationToken)).Where(m => m.Status == "installed").ToDictionary(m => m.Name, StringComparer.Ordinal);
        var (plan, problems) = Planner.Make(new PlanRequest { Desired = [desired], Recorded = recorded, StateRevision = await Store.GetRevisionAsync(cancellationToken) });
        if (plan is null)
        {
            return (null, new ApplyOutcome(ApplyStatus.Refused, problems));
        }

        var builder = new StepBuilder(p => ProviderFolder(p, [desired], recorded, new Dictionary<string, string> { [module] = folder }));
        builder.Converge(module, plan.Changes, snapshot: !options.NoSnapshot, reason, postTest: command != "scale");
        return (new ApplyPayload
        {
            Command = command,
            StateRevision = plan.StateRevision,
            Definitions = new() { [module] = definition },
            Previous = new() { [module] = record.Definition },
            PriorFiles = PriorFilesOf([module]),
            Releases = releaseText is null ? [] : new() { [module] = releaseText },
            Folders = new() { [module] = folder },
            Force = options.Force,
            Reason = reason,
            Steps = builder.Steps,
        }, null);
    }

    private async Task<InstalledModule?> Installed(string module, CancellationToken cancellationToken) =>
        await Store.GetModuleAsync(module, cancellationToken) is { Status: "installed" } r ? r : null;

    private static ApplyOutcome NotInstalled(string module) => ApplyOutcome.Refuse(EngineCodes.NotInstalled,
        $"module \"{module}\" is not installed in this site", $"install it with 'tappaas install {module}', or see 'tappaas status'");
}
