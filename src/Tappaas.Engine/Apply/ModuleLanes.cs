namespace Tappaas.Engine.Apply;

/// <summary>The steps of one module in a run, and the modules of the run whose steps must finish before they start.</summary>
internal sealed record ModuleLane(string Module, IReadOnlyList<ApplyStep> Steps, IReadOnlyList<string> After);

/// <summary>
/// Splits a run into lanes that may run side by side: one per module, a module's lane after the lanes of the modules it
/// depends on or that depend on it which come first in the plan (the plan orders providers before consumers on install
/// and consumers before providers on delete, so that order is kept). A run whose modules' steps are interleaved, or
/// in which fewer than two lanes call a provider that may run concurrently, is one lane: the plan's order exactly.
/// </summary>
internal static class ModuleLanes
{
    public static IReadOnlyList<ModuleLane> Of(IReadOnlyList<ApplyStep> all, IReadOnlyList<ApplyStep> pending, StepContext context, Func<ApplyStep, bool> concurrent)
    {
        var order = new List<string>();
        foreach (var step in all)
        {
            if (order.Count == 0 || order[^1] != step.Module)
            {
                if (order.Contains(step.Module))
                {
                    return [Single(pending)]; // interleaved: keep the plan's order
                }

                order.Add(step.Module);
            }
        }

        var lanes = order.Select(m => (Module: m, Steps: pending.Where(s => s.Module == m).ToList())).Where(l => l.Steps.Count > 0).ToList();
        if (lanes.Count(l => l.Steps.Any(concurrent)) < 2)
        {
            return [Single(pending)];
        }

        // A module whose steps all completed before a restart has no lane and nothing to wait for.
        var related = order.ToDictionary(m => m, m => DependenciesOf(m, context), StringComparer.Ordinal);
        var open = lanes.Select(l => l.Module).ToHashSet(StringComparer.Ordinal);
        return [.. lanes.Select(l => new ModuleLane(l.Module, l.Steps,
            [.. order.TakeWhile(m => m != l.Module).Where(open.Contains).Where(earlier => related[l.Module].Contains(earlier) || related[earlier].Contains(l.Module))]))];
    }

    private static ModuleLane Single(IReadOnlyList<ApplyStep> pending) => new("", pending, []);

    // The modules named in the module's dependsOn, as the run installs it and as it was.
    private static HashSet<string> DependenciesOf(string module, StepContext context)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var definition in new[] { context.Payload.Definitions.ContainsKey(module) ? context.Desired(module) : null, context.Previous(module) })
        {
            foreach (var service in definition?.DependsOn ?? [])
            {
                names.Add(service.Module);
            }
        }

        return names;
    }
}
