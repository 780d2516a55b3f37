using System.Text.Json;
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
    /// Plans the given module releases against the recorded state (or, with none given, every installed module
    /// against its release). An installed module is planned as update would record it: the 3-way merge of its installed
    /// copy (the operator's edits count, and the plan names them), its baseline and the release. Read-only; may run
    /// while another process applies. Diagnostics point into the operator's own files.
    /// </summary>
    public async Task<(Plan? Plan, IReadOnlyList<Diagnostic> Diagnostics)> PlanAsync(IReadOnlyList<ModuleSource> sources, CancellationToken cancellationToken)
    {
        var recorded = (await Store.ListModulesAsync(cancellationToken)).ToDictionary(m => m.Name, StringComparer.Ordinal);
        var desired = new List<ModuleDefinition>();
        var originals = new Dictionary<string, ModuleDefinition>(StringComparer.Ordinal);
        var notes = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        var diagnostics = new List<Diagnostic>();
        if (sources.Count > 0 && Validate(sources.Select(s => s.Definition)) is { } invalid)
        {
            return (null, invalid.Diagnostics);
        }

        var planned = sources.Count > 0
            ? sources.Select(s => (Name: s.Definition.Name, Source: (ModuleSource?)s))
            : recorded.Values.Where(r => r.Status == "installed").Select(r => (r.Name, Source: (ModuleSource?)null));
        foreach (var (name, source) in planned)
        {
            if (recorded.GetValueOrDefault(name) is not { Status: "installed" } record)
            {
                desired.Add(Parse(name, Stamp(source!, "installTime")));
                originals[name] = source!.Definition;
                continue;
            }

            var (merged, refusal) = await MergeReleaseAsync(record, source, cancellationToken);
            if (merged is null)
            {
                if (source is not null)
                {
                    return (null, refusal!.Diagnostics);
                }

                // No release to compare with: the installed copy as it stands (its edits still show).
                var current = InstalledCopy(record);
                desired.Add(Parse(name, JsonText.Write(current.ToCanonical())));
                originals[name] = current;
                notes[name] = EditedFields(current, record).ToDictionary(f => f, _ => $"edited in {current.File}", StringComparer.Ordinal);
                diagnostics.AddRange(refusal!.Diagnostics.Select(d => d with { Severity = Severity.Warning }));
                continue;
            }

            desired.Add(Parse(name, merged.Definition));
            originals[name] = merged.Current;
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

        var names = desired.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        var (plan, problems) = Planner.Make(new PlanRequest
        {
            Desired = desired,
            Recorded = recorded.Where(kv => kv.Value.Status == "installed" || names.Contains(kv.Key)).ToDictionary(),
            StateRevision = await Store.GetRevisionAsync(cancellationToken),
            FieldNotes = notes,
        });
        return (plan, Relocate([.. diagnostics, .. problems], originals));
    }

    /// <summary>Applies a saved plan's module releases, refusing a plan made from an older state revision.</summary>
    public async Task<ApplyOutcome> ApplyPlanAsync(long planRevision, IReadOnlyList<ModuleSource> sources, EngineOptions options, CancellationToken cancellationToken)
    {
        var current = await Store.GetRevisionAsync(cancellationToken);
        if (current != planRevision)
        {
            return ApplyOutcome.Refuse(EngineCodes.StalePlan,
                $"the saved plan is stale: it was made from state revision {planRevision}, but the site is now at revision {current}",
                "something was applied since the plan was made; run 'tappaas plan' again and review the new plan");
        }

        var recorded = (await Store.ListModulesAsync(cancellationToken)).ToDictionary(m => m.Name, StringComparer.Ordinal);
        var fresh = sources.Where(s => !recorded.ContainsKey(s.Definition.Name) || recorded[s.Definition.Name].Status != "installed").ToList();
        var outcome = fresh.Count > 0 ? await InstallAsync(fresh, options, cancellationToken) : null;
        foreach (var s in sources.Except(fresh))
        {
            if (outcome is { Status: not (ApplyStatus.Succeeded or ApplyStatus.SucceededWithWarnings) })
            {
                break;
            }

            outcome = await UpdateAsync(s.Definition.Name, options, cancellationToken);
        }

        return outcome ?? new ApplyOutcome(ApplyStatus.Succeeded, []);
    }

    /// <summary>Serialises a plan with the module sources it was made from, for 'tappaas plan --out' and 'tappaas apply'.</summary>
    public static string SavePlan(Plan plan, IReadOnlyList<ModuleSource> sources) => JsonSerializer.Serialize(new
    {
        stateRevision = plan.StateRevision,
        modules = sources.Select(s => new { name = s.Definition.Name, folder = s.Folder, file = Path.Combine(s.Folder, s.Definition.Name + ".json") }),
        changes = plan.Changes.Select(c => new { address = c.Address, action = c.Action.ToString().ToLowerInvariant(), reasons = c.Reasons }),
    }, new JsonSerializerOptions { WriteIndented = true });
}
