using System.Text;
using Tappaas.Abstractions.Plans;
using Tappaas.Abstractions.State;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Fields;
using Tappaas.Model.Graph;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;

namespace Tappaas.Engine.Planning;

/// <summary>
/// The planner: a pure function of desired modules and recorded/observed state. For each module (in dependency
/// order from the graph, not dependsOn order) it plans one step per consumed service — the provider's hook acting
/// for the module — and then the module's own step; deletes come last, consumers before providers. Every change
/// carries its reasons. Fields the platform stamps (installTime, location, …) never cause a change.
/// </summary>
public static class Planner
{
    /// <summary>Fields whose change cannot be applied in place.</summary>
    public static IReadOnlyList<string> ReplaceFields { get; } = ["vmid", "image", "imageType"];

    /// <summary>Makes the plan, or returns the diagnostics that prevent one (missing providers, cycles).</summary>
    public static (Plan? Plan, IReadOnlyList<Diagnostic> Diagnostics) Make(PlanRequest request)
    {
        var desiredNames = request.Desired.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var recordedDefs = request.Recorded.Values
            .Select(r => Parse(r))
            .OfType<ModuleDefinition>()
            .ToDictionary(m => m.Name, StringComparer.Ordinal);
        var providers = recordedDefs.Values.Where(m => !desiredNames.Contains(m.Name));
        var graph = DependencyGraph.Build(request.Desired, providers, Severity.Error);
        if (graph.Diagnostics.HasErrors)
        {
            return (null, graph.Diagnostics);
        }

        var position = Levels(graph);
        var changes = new List<PlannedChange>();
        var byName = request.Desired.ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var name in graph.InstallOrder())
        {
            var desired = byName[name];
            var recorded = recordedDefs.GetValueOrDefault(name);
            var status = request.Recorded.GetValueOrDefault(name)?.Status;
            var notes = request.FieldNotes.GetValueOrDefault(name) ?? new Dictionary<string, string>();
            changes.AddRange(PlanModule(desired, recorded, status, request.ObservedMissing.GetValueOrDefault(name), graph, position, notes));
        }

        if (request.DeleteUnlisted)
        {
            var gone = recordedDefs.Values.Where(m => !desiredNames.Contains(m.Name) && request.Recorded[m.Name].Status != "archived").ToList();
            var deleteGraph = DependencyGraph.Build(gone, [], Severity.Warning);
            foreach (var name in deleteGraph.DeleteOrder())
            {
                var module = recordedDefs[name];
                changes.Add(new PlannedChange(name, null, ChangeAction.Delete, [$"\"{name}\" is installed but no longer desired"]));
                changes.AddRange(module.DependsOn.Reverse().Select(d => new PlannedChange(name, d, ChangeAction.Delete, [$"{name} no longer consumes {d}"])));
            }
        }

        return (new Plan(request.StateRevision, changes), []);
    }

    private static IEnumerable<PlannedChange> PlanModule(
        ModuleDefinition desired, ModuleDefinition? recorded, string? status, string? missing, DependencyGraph graph, Dictionary<string, int> position,
        IReadOnlyDictionary<string, string> notes)
    {
        string Describe(string field, ModuleDefinition before, ModuleDefinition after) =>
            Planner.Describe(field, before, after) + (notes.TryGetValue(field, out var note) ? $" ({note})" : "");

        var services = OrderedServices(desired, graph, position);
        if (recorded is null || status == "archived" || missing is not null)
        {
            var why = recorded is null ? $"\"{desired.Name}\" is not installed"
                : missing is not null ? $"\"{desired.Name}\" is recorded as installed but {missing} (drift)"
                : $"\"{desired.Name}\" is archived";
            foreach (var s in services)
            {
                yield return new PlannedChange(desired.Name, s, ChangeAction.Create, [$"{why}; {s.Module}'s {s.Service} service sets it up"]);
            }

            yield return new PlannedChange(desired.Name, null, ChangeAction.Create, [why]);
            yield break;
        }

        var changed = ChangedFields(recorded, desired);
        // An image guest takes a new image (or digest) by a rolling update, not a replacement.
        var images = desired.Text("imageType") == "oci" && recorded.Text("imageType") == "oci";
        var replace = changed.Where(f => ReplaceFields.Contains(f) && !(images && f == "image")).ToList();
        var oldServices = recorded.DependsOn.ToHashSet();
        foreach (var s in services)
        {
            if (!oldServices.Contains(s))
            {
                yield return new PlannedChange(desired.Name, s, ChangeAction.Create, [$"{s} was added to dependsOn"]);
                continue;
            }

            var mine = changed.Where(f => ModuleCanonicalizer.OwnerBlock(f, desired.Strings("dependsOn")) == s.ToString()).ToList();
            yield return replace.Count > 0
                ? new PlannedChange(desired.Name, s, ChangeAction.Replace, [$"the guest is replaced ({string.Join(", ", replace)} changed)"])
                : mine.Count > 0
                    ? new PlannedChange(desired.Name, s, ChangeAction.Update, [.. mine.Select(f => Describe(f, recorded, desired))])
                    : new PlannedChange(desired.Name, s, ChangeAction.NoOp, []);
        }

        foreach (var removed in recorded.DependsOn.Where(d => !desired.DependsOn.Contains(d)).Reverse())
        {
            yield return new PlannedChange(desired.Name, removed, ChangeAction.Delete, [$"{removed} was removed from dependsOn"]);
        }

        yield return replace.Count > 0
            ? new PlannedChange(desired.Name, null, ChangeAction.Replace, [.. replace.Select(f => $"{Describe(f, recorded, desired)}; this cannot change in place")])
            : changed.Count > 0
                ? new PlannedChange(desired.Name, null, ChangeAction.Update, [.. changed.Select(f => Describe(f, recorded, desired))])
                : new PlannedChange(desired.Name, null, ChangeAction.NoOp, []);
    }

    // A module's depth in the graph (providers without dependencies are level 0). Service steps are ordered by the
    // provider's level, then by dependsOn order, so independent providers keep the author's order.
    private static Dictionary<string, int> Levels(DependencyGraph graph)
    {
        var levels = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var m in graph.InstallOrder())
        {
            levels[m] = graph.DependenciesOf(m).Where(e => !e.IsSelf).Select(e => levels.GetValueOrDefault(e.Provider, -1) + 1).DefaultIfEmpty(0).Max();
        }

        return levels;
    }

    private static List<ServiceRef> OrderedServices(ModuleDefinition module, DependencyGraph graph, Dictionary<string, int> position)
    {
        var edges = graph.DependenciesOf(module.Name);
        return [.. module.DependsOn
            .Select((d, i) => (d, i, p: edges.FirstOrDefault(e => e.Service == d)?.Provider ?? d.Module))
            .OrderBy(t => t.p == module.Name ? int.MaxValue : position.GetValueOrDefault(t.p, -1))
            .ThenBy(t => t.i)
            .Select(t => t.d)];
    }

    /// <summary>Names of fields whose values differ between two definitions, ignoring fields the platform stamps.</summary>
    public static List<string> ChangedFields(ModuleDefinition before, ModuleDefinition after)
    {
        var names = before.Fields.Select(f => f.Name).Concat(after.Fields.Select(f => f.Name)).Distinct(StringComparer.Ordinal);
        return [.. names.Where(n => ModuleFields.Find(n)?.AutoManaged != true && !ModuleFields.IsComment(n))
            .Where(n => !JObject.SemanticEquals(before.Field(n)?.Value, after.Field(n)?.Value))];
    }

    private static string Describe(string field, ModuleDefinition before, ModuleDefinition after)
    {
        var old = before.Field(field)?.Value;
        var now = after.Field(field)?.Value;
        if (field == "imageDigest" && old?.ScalarText is { } was && now?.ScalarText is { } becomes)
        {
            return $"image {Short(was)} -> {Short(becomes)} ({after.Text("image")})";
        }

        return (old, now) switch
        {
            (null, _) => $"{field} added ({Show(now)})",
            (_, null) => $"{field} removed (was {Show(old)})",
            _ => $"{field} changed from {Show(old)} to {Show(now)}",
        };
    }

    private static string Short(string digest) => digest.Length > 19 ? digest[..19] + "…" : digest;

    private static string Show(JNode? node) =>
        node?.ScalarText ?? (node is null ? "nothing" : JsonText.Write(node).Replace("\n", " ", StringComparison.Ordinal).Trim());

    private static ModuleDefinition? Parse(InstalledModule record) =>
        JsonSource.Parse(record.Name + ".json", Encoding.UTF8.GetBytes(record.Definition)).Root is JObject root
            ? new ModuleDefinition(record.Name, record.Name + ".json", root)
            : null;
}
