using Tappaas.Abstractions.State;
using Tappaas.Engine.Apply;
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
            return (await ConvergePayloadAsync("update", module, record, merged.Definition, merged.ReleaseText, merged.Folder, "update", options, cancellationToken), null);
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
            return (await ConvergePayloadAsync("rollback", module, record, target.Definition, null, location, $"rollback to r{target.Revision}", options, cancellationToken), null);
        }, cancellationToken);

    private async Task<ApplyPayload> ConvergePayloadAsync(string command, string module, InstalledModule record, string definition, string? releaseText,
        string folder, string reason, EngineOptions options, CancellationToken cancellationToken)
    {
        var desired = Parse(module, definition);
        var before = Parse(module, record.Definition);
        var recorded = (await Store.ListModulesAsync(cancellationToken)).Where(m => m.Name != module).ToDictionary(m => m.Name, StringComparer.Ordinal);
        var steps = new List<ApplyStep> { new(0, StepKind.StageConfig, module, Reason: $"write the merged config/{module}.json") };
        if (!options.NoSnapshot)
        {
            steps.Add(new ApplyStep(steps.Count, StepKind.Snapshot, module, Reason: "safety net for automatic rollback"));
            steps.Add(new ApplyStep(steps.Count, StepKind.PreTest, module, Reason: "the module must be healthy before it is changed"));
        }

        steps.Add(new ApplyStep(steps.Count, StepKind.ModuleHook, module, Hook: "pre-update", Reason: "the module's pre-update.sh"));
        foreach (var dep in desired.DependsOn)
        {
            var kind = before.DependsOn.Contains(dep) ? StepKind.ServiceUpdate : StepKind.ServiceInstall;
            steps.Add(new ApplyStep(steps.Count, kind, module, dep.ToString(), ProviderFolder(dep.Module, [desired], recorded, new Dictionary<string, string> { [module] = folder }),
                Reason: kind == StepKind.ServiceUpdate ? $"{dep} reconciles the module" : $"{dep} was added"));
        }

        foreach (var gone in before.DependsOn.Where(d => !desired.DependsOn.Contains(d)).Reverse())
        {
            steps.Add(new ApplyStep(steps.Count, StepKind.ServiceDelete, module, gone.ToString(), ProviderFolder(gone.Module, [], recorded, new Dictionary<string, string>()), Reason: $"{gone} was removed"));
        }

        steps.Add(new ApplyStep(steps.Count, StepKind.ModuleHook, module, Hook: "update", Reason: "the module's update.sh"));
        steps.Add(new ApplyStep(steps.Count, StepKind.Commit, module, Reason: $"record the new revision ({reason})"));
        steps.Add(new ApplyStep(steps.Count, StepKind.PostTest, module, Reason: "the module must be healthy after the change"));
        return new ApplyPayload
        {
            Command = command,
            StateRevision = await Store.GetRevisionAsync(cancellationToken),
            Definitions = new() { [module] = definition },
            Previous = new() { [module] = record.Definition },
            PriorFiles = PriorFilesOf([module]),
            Releases = releaseText is null ? [] : new() { [module] = releaseText },
            Folders = new() { [module] = folder },
            Force = options.Force,
            Reason = reason,
            Steps = steps,
        };
    }

    private async Task<InstalledModule?> Installed(string module, CancellationToken cancellationToken) =>
        await Store.GetModuleAsync(module, cancellationToken) is { Status: "installed" } r ? r : null;

    private static ApplyOutcome NotInstalled(string module) => ApplyOutcome.Refuse(EngineCodes.NotInstalled,
        $"module \"{module}\" is not installed in this site", $"install it with 'tappaas install {module}', or see 'tappaas status'");
}
