using System.Text.Json;
using Tappaas.Abstractions.Plans;
using Tappaas.Engine.Apply;
using Tappaas.Engine.Planning;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Modules;

namespace Tappaas.Engine;

public sealed partial class SiteEngine
{
    /// <summary>
    /// Plans the given module releases against the recorded state (or, with none given, every installed module
    /// against its release folder). Read-only; may run while another process applies.
    /// </summary>
    public async Task<(Plan? Plan, IReadOnlyList<Diagnostic> Diagnostics)> PlanAsync(IReadOnlyList<ModuleSource> sources, CancellationToken cancellationToken)
    {
        var recorded = (await Store.ListModulesAsync(cancellationToken)).ToDictionary(m => m.Name, StringComparer.Ordinal);
        IReadOnlyList<ModuleDefinition> desired;
        if (sources.Count > 0)
        {
            if (Validate(sources.Select(s => s.Definition)) is { } invalid)
            {
                return (null, invalid.Diagnostics);
            }

            desired = [.. sources.Select(s => Parse(s.Definition.Name, Stamp(s, "installTime")))];
        }
        else
        {
            desired = [.. recorded.Values.Where(r => r.Status == "installed").Select(r =>
            {
                var location = Parse(r.Name, r.Definition).Text("location");
                var release = location is null ? null : Path.Combine(location, r.Name + ".json");
                return release is not null && File.Exists(release)
                    ? Parse(r.Name, Stamp(new ModuleSource(Parse(r.Name, File.ReadAllText(release)), location!, ""), "installTime"))
                    : Parse(r.Name, r.Definition);
            })];
        }

        var names = desired.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        var result = Planner.Make(new PlanRequest
        {
            Desired = desired,
            Recorded = recorded.Where(kv => kv.Value.Status == "installed" || names.Contains(kv.Key)).ToDictionary(),
            StateRevision = await Store.GetRevisionAsync(cancellationToken),
        });
        return result;
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
