using Tappaas.Abstractions.Providers;
using Tappaas.Abstractions.State;
using Tappaas.Abstractions.Plans;
using Tappaas.Engine.Apply;
using Tappaas.Engine.Merging;
using Tappaas.Engine.Planning;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;

namespace Tappaas.Engine;

public sealed partial class SiteEngine
{
    /// <summary>
    /// Plans the given module releases against the recorded and observed state (or, with none given, every installed
    /// module against its release). An installed module is planned as update would record it: the 3-way merge of its
    /// installed copy (the operator's edits count, and the plan names them), its baseline and the release. Providers that
    /// can observe their objects are asked whether they still exist: a guest or VM that vanished is drift, planned to be
    /// created again. The plan carries the run that applies it (<see cref="ApplyPlanAsync"/>), its steps made by the same
    /// builder install and update use. Read-only; may run while another process applies. Diagnostics point into the
    /// operator's own files.
    /// </summary>
    public async Task<(Plan? Plan, ApplyPayload? Run, IReadOnlyList<Diagnostic> Diagnostics)> PlanAsync(IReadOnlyList<ModuleSource> sources, CancellationToken cancellationToken)
    {
        var recorded = (await Store.ListModulesAsync(cancellationToken)).ToDictionary(m => m.Name, StringComparer.Ordinal);
        var desired = new List<ModuleDefinition>();
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        var releases = new Dictionary<string, string>(StringComparer.Ordinal);
        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        var originals = new Dictionary<string, ModuleDefinition>(StringComparer.Ordinal);
        var notes = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        var diagnostics = new List<Diagnostic>();
        if (sources.Count > 0 && Validate(sources.Select(s => s.Definition)) is { } invalid)
        {
            return (null, null, invalid.Diagnostics);
        }

        var planned = sources.Count > 0
            ? sources.Select(s => (Name: s.Definition.Name, Source: (ModuleSource?)s))
            : recorded.Values.Where(r => r.Status == "installed").Select(r => (r.Name, Source: (ModuleSource?)null));
        foreach (var (name, source) in planned)
        {
            if (recorded.GetValueOrDefault(name) is not { Status: "installed" } record)
            {
                Add(name, Stamp(source!, "installTime"), source!.ReleaseText, source.Folder, source.Definition);
                continue;
            }

            var (merged, refusal) = await MergeReleaseAsync(record, source, cancellationToken);
            if (merged is null)
            {
                if (source is not null)
                {
                    return (null, null, refusal!.Diagnostics);
                }

                // No release to compare with: the installed copy as it stands (its edits still show).
                var current = InstalledCopy(record);
                Add(name, JsonText.Write(current.ToCanonical()), null, current.Text("location") ?? Layout.ConfigDir, current);
                notes[name] = EditedFields(current, record).ToDictionary(f => f, _ => $"edited in {current.File}", StringComparer.Ordinal);
                diagnostics.AddRange(refusal!.Diagnostics.Select(d => d with { Severity = Severity.Warning }));
                continue;
            }

            Add(name, merged.Definition, merged.ReleaseText, merged.Folder, merged.Current);
            var fieldNotes = EditedFields(merged.Current, record).ToDictionary(f => f, _ => $"edited in {merged.Current.File}", StringComparer.Ordinal);
            foreach (var (path, _) in merged.Merge.Leaves.Where(l => l.Outcome == MergeOutcome.Conflict))
            {
                if (JsonPathText.Parse(path) is [string field, ..])
                {
                    fieldNotes[field] = $"kept as edited in {merged.Current.File}; the release changes it too";
                }
            }

            notes[name] = fieldNotes;
            diagnostics.AddRange(merged.Notes);
        }

        for (var i = 0; i < desired.Count; i++)
        {
            var name = desired[i].Name;
            var (pinned, unresolved) = await PinImageAsync(name, texts[name], cancellationToken);
            if (unresolved is not null)
            {
                return (null, null, unresolved.Diagnostics);
            }

            texts[name] = pinned!;
            desired[i] = Parse(name, pinned!);
        }

        if (MissingServiceHooks([.. sources.Where(s => recorded.GetValueOrDefault(s.Definition.Name)?.Status != "installed")]) is { Count: > 0 } missingHooks)
        {
            return (null, null, missingHooks);
        }

        var names = desired.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        var considered = recorded.Where(kv => kv.Value.Status == "installed" || names.Contains(kv.Key)).ToDictionary();
        var (drift, unobserved) = await ObserveAsync(desired.Where(d => recorded.GetValueOrDefault(d.Name)?.Status == "installed"), considered, folders, cancellationToken);
        diagnostics.AddRange(unobserved);
        var (plan, problems) = Planner.Make(new PlanRequest
        {
            Desired = desired,
            Recorded = considered,
            StateRevision = await Store.GetRevisionAsync(cancellationToken),
            FieldNotes = notes,
            ObservedMissing = drift,
        });
        if (plan is null)
        {
            return (null, null, Relocate(problems, originals));
        }

        return (plan, RunOf(plan, desired, texts, releases, folders, considered), Relocate(diagnostics, originals));

        void Add(string name, string text, string? release, string folder, ModuleDefinition original)
        {
            desired.Add(Parse(name, text));
            texts[name] = text;
            folders[name] = folder;
            originals[name] = original;
            if (release is not null)
            {
                releases[name] = release;
            }
        }
    }

    /// <summary>The run a plan applies: for each module with a change, install steps when the plan creates it, else update steps.</summary>
    private ApplyPayload RunOf(Plan plan, IReadOnlyList<ModuleDefinition> desired, Dictionary<string, string> texts, Dictionary<string, string> releases,
        Dictionary<string, string> folders, IReadOnlyDictionary<string, InstalledModule> recorded)
    {
        var builder = new StepBuilder(p => ProviderFolder(p, desired, recorded, folders));
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var module in plan.Changes.Select(c => c.Module).Distinct(StringComparer.Ordinal))
        {
            var changes = plan.Changes.Where(c => c.Module == module).ToList();
            if (changes.All(c => c.Action == ChangeAction.NoOp))
            {
                continue;
            }

            if (changes.Last(c => c.Service is null).Action == ChangeAction.Create)
            {
                builder.Install(module, changes);
                reasons[module] = recorded.GetValueOrDefault(module)?.Status == "installed" ? "repair drift" : "install";
            }
            else
            {
                builder.Converge(module, changes, snapshot: true, "update");
                reasons[module] = "update";
            }
        }

        return new ApplyPayload
        {
            Command = "apply",
            StateRevision = plan.StateRevision,
            Definitions = reasons.Keys.ToDictionary(m => m, m => texts[m], StringComparer.Ordinal),
            Previous = reasons.Keys.ToDictionary(m => m, m => recorded.GetValueOrDefault(m) is { Status: "installed" } r ? r.Definition : null, StringComparer.Ordinal),
            PriorFiles = PriorFilesOf(reasons.Keys),
            Releases = reasons.Keys.Where(releases.ContainsKey).ToDictionary(m => m, m => releases[m], StringComparer.Ordinal),
            Folders = reasons.Keys.ToDictionary(m => m, m => folders[m], StringComparer.Ordinal),
            Reason = "apply a plan",
            ModuleReasons = reasons,
            Steps = builder.Steps,
        };
    }

    /// <summary>
    /// Asks the providers that can observe their objects whether each installed module's objects still exist. A module
    /// whose guest (or VM, or other observed object) is missing is drift, with what was missing; a provider that cannot be
    /// asked right now gives a warning and no drift.
    /// </summary>
    private async Task<(Dictionary<string, string> Missing, List<Diagnostic> Unobserved)> ObserveAsync(IEnumerable<ModuleDefinition> installed,
        IReadOnlyDictionary<string, InstalledModule> recorded, IReadOnlyDictionary<string, string> folders, CancellationToken cancellationToken)
    {
        var missing = new Dictionary<string, string>(StringComparer.Ordinal);
        var unobserved = new List<Diagnostic>();
        var site = Model.Site.SiteSnapshot.Read(Layout.ConfigDir);
        foreach (var module in installed)
        {
            var consumerFolder = folders.GetValueOrDefault(module.Name) ?? module.Text("location") ?? Layout.ConfigDir;
            foreach (var service in module.DependsOn)
            {
                var provider = providers.Resolve(service, ProviderFolder(service.Module, [module], recorded, folders) ?? consumerFolder);
                if (!provider.Info.Capabilities.HasFlag(ProviderCapabilities.Observe))
                {
                    continue;
                }

                try
                {
                    var read = await provider.ReadAsync(new ProviderRequest(module, service, consumerFolder, Layout.Root, HookFlags.None) { Site = site }, cancellationToken);
                    if (!read.Exists)
                    {
                        missing[module.Name] = $"{service} found no {read.ObjectName}{(read.Detail.Length > 0 ? $" ({read.Detail})" : "")}";
                        break;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    unobserved.Add(Diagnostic.Warning(EngineCodes.Unobserved, null, $"{service} could not say whether {module.Name}'s objects exist: {ex.Message}",
                        "the plan assumes they do; check the backend and plan again"));
                }
            }
        }

        return (missing, unobserved);
    }

    /// <summary>
    /// Applies a saved plan's run exactly as it was planned, under the site's lock, after checking there that the site
    /// is still at the state revision the plan was made from (a plan made before another change is refused, not
    /// re-planned). Nothing to do is success without a run.
    /// </summary>
    public Task<ApplyOutcome> ApplyPlanAsync(ApplyPayload run, EngineOptions options, CancellationToken cancellationToken) =>
        RunLockedAsync("apply", options.Flags, async () =>
        {
            var current = await Store.GetRevisionAsync(cancellationToken);
            if (current != run.StateRevision)
            {
                return (null, ApplyOutcome.Refuse(EngineCodes.StalePlan,
                    $"the saved plan is stale: it was made from state revision {run.StateRevision}, but the site is now at revision {current}",
                    "something was applied since the plan was made; run 'tappaas plan' again and review the new plan"));
            }

            if (run.Command != "apply" || run.Steps.Select((s, i) => s.Index != i || !run.Definitions.ContainsKey(s.Module) && !run.Previous.ContainsKey(s.Module)).Any(bad => bad))
            {
                return (null, ApplyOutcome.Refuse(EngineCodes.InvalidDefinition, "the saved plan's run is not one 'tappaas plan' made (its steps do not match its modules)",
                    "make the plan again with 'tappaas plan --out FILE'"));
            }

            if (Validate(run.Definitions.Select(kv => Parse(kv.Key, kv.Value))) is { } invalid)
            {
                return (null, invalid);
            }

            return run.Steps.Count == 0 ? (null, new ApplyOutcome(ApplyStatus.Succeeded, [])) : (run, null);
        }, cancellationToken);
}
