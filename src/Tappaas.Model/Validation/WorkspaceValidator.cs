using Tappaas.Model.Diagnostics;
using Tappaas.Model.Graph;
using Tappaas.Model.Loading;
using Tappaas.Model.Modules;

namespace Tappaas.Model.Validation;

/// <summary>Validates everything in a workspace: each file, each module, and the set as a whole.</summary>
public static class WorkspaceValidator
{
    /// <summary>The outcome of validating a workspace.</summary>
    /// <param name="Diagnostics">Every problem, all at once.</param>
    /// <param name="Graph">The dependency graph of the module set.</param>
    public sealed record Result(DiagnosticBag Diagnostics, DependencyGraph Graph);

    /// <summary>Validates the workspace.</summary>
    public static Result Validate(Workspace workspace)
    {
        var bag = new DiagnosticBag();
        bag.AddRange(workspace.Diagnostics);
        var context = new ValidationContext(workspace.Zones, workspace.Site);
        if (workspace.Zones is null && workspace.Modules.Any(m => m.Has("zone0") || m.Has("zone1")))
        {
            var zoned = workspace.Modules.Where(m => m.Has("zone0") || m.Has("zone1")).Select(m => $"{m.Name} ({string.Join(", ", new[] { m.Text("zone0"), m.Text("zone1") }.OfType<string>())})");
            bag.Add(Diagnostic.Warning(DiagnosticCodes.ZoneChecksSkipped, null,
                $"zones were not checked: no zones.json was given, so it is not known whether these zones exist: {string.Join("; ", zoned)}",
                "validate inside a site (--site DIR or $TAPPAAS_SITE: its zones.json is used), add the folder with zones.json to the paths, or pass --zones FILE"));
        }

        foreach (var module in workspace.Modules)
        {
            ModuleValidator.Validate(module, context, bag);
        }

        ServiceHooksChecker.Check(workspace.Modules, bag);
        CheckDuplicateVmids(workspace.Modules, bag);
        var graph = DependencyGraph.Build(workspace.Modules, workspace.Installed, Severity.Warning);
        bag.AddRange(graph.Diagnostics);
        return new Result(bag, graph);
    }

    private static void CheckDuplicateVmids(IReadOnlyList<ModuleDefinition> modules, DiagnosticBag bag)
    {
        var byId = modules.Where(m => m.VmId is not null && m.Text("status") != "archived")
            .GroupBy(m => m.VmId!.Value).Where(g => g.Count() > 1);
        foreach (var group in byId)
        {
            var owners = group.ToList();
            foreach (var m in owners)
            {
                var field = m.Field("vmid")!;
                var others = owners.Where(o => !ReferenceEquals(o, m)).Select(o => $"{o.Name} ({o.File})");
                bag.Add(Diagnostic.Error(DiagnosticCodes.DuplicateVmid,
                    new SourceLocation(m.File, field.SourcePath, field.Value.Position.Line, field.Value.Position.Column),
                    $"VMID {group.Key} of module \"{m.Name}\" is also used by {string.Join(", ", others)}",
                    "give each module its own VMID (the catalog reserves blocks of 10 per module)"));
            }
        }
    }
}
