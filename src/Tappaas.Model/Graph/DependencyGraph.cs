using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;

namespace Tappaas.Model.Graph;

/// <summary>
/// The service dependency graph of a set of modules. Each <c>module:service</c> in dependsOn is resolved to the
/// module that provides it (from the set, else from the installed modules). Install order is topological with
/// ties broken by name; delete order is its reverse. Cycles are reported with a stable message.
/// </summary>
public sealed class DependencyGraph
{
    private readonly Dictionary<string, List<DependencyEdge>> _out;
    private readonly Dictionary<string, List<DependencyEdge>> _in;

    private DependencyGraph(IReadOnlyList<string> modules, IReadOnlyList<string> installed, IReadOnlyList<DependencyEdge> edges, DiagnosticBag diagnostics, IReadOnlyList<IReadOnlyList<string>> cycles)
    {
        Modules = modules;
        InstalledProviders = installed;
        Edges = edges;
        Diagnostics = diagnostics;
        Cycles = cycles;
        _out = edges.GroupBy(e => e.Consumer).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        _in = edges.GroupBy(e => e.Provider).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
    }

    /// <summary>Names of the modules in the set, sorted.</summary>
    public IReadOnlyList<string> Modules { get; }

    /// <summary>Installed modules that provide a service to the set.</summary>
    public IReadOnlyList<string> InstalledProviders { get; }

    /// <summary>Resolved edges in module, then dependsOn order.</summary>
    public IReadOnlyList<DependencyEdge> Edges { get; }

    /// <summary>Missing providers, missing services and cycles.</summary>
    public DiagnosticBag Diagnostics { get; }

    /// <summary>Each cycle as a list of module names, starting with the smallest name.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles { get; }

    /// <summary>Builds the graph.</summary>
    /// <param name="modules">The desired set.</param>
    /// <param name="installed">Installed modules that may provide services.</param>
    /// <param name="missingProvider">Severity when a provider module is in neither set (a warning while validating part of a tree; an error when ordering for install).</param>
    public static DependencyGraph Build(IEnumerable<ModuleDefinition> modules, IEnumerable<ModuleDefinition>? installed = null, Severity missingProvider = Severity.Error)
    {
        var set = modules.GroupBy(m => m.Name).Select(g => g.First()).ToDictionary(m => m.Name, StringComparer.Ordinal);
        var installedByName = (installed ?? []).Where(m => !set.ContainsKey(m.Name)).GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var byService = set.Values.Concat(installedByName.Values)
            .SelectMany(m => m.Provides.Select(s => (Service: s, Module: m.Name)))
            .GroupBy(t => t.Service).ToDictionary(g => g.Key, g => g.Select(t => t.Module).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

        var bag = new DiagnosticBag();
        var edges = new List<DependencyEdge>();
        var usedInstalled = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var module in set.Values.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            foreach (var dep in module.DependsOn)
            {
                var provider = set.GetValueOrDefault(dep.Module) ?? installedByName.GetValueOrDefault(dep.Module);
                var location = DependsOnLocation(module, dep);
                if (provider is null)
                {
                    var others = byService.GetValueOrDefault(dep.Service);
                    bag.Add(new Diagnostic(missingProvider, DiagnosticCodes.ProviderMissing,
                        $"module \"{module.Name}\" depends on {dep}, but no module named \"{dep.Module}\" is in the set{(installedByName.Count > 0 ? " or installed" : "")}",
                        others is { Count: > 0 }
                            ? $"install \"{dep.Module}\" first, or depend on {string.Join(" or ", others.Select(o => $"\"{o}:{dep.Service}\""))}, which provide \"{dep.Service}\""
                            : $"add the folder that contains \"{dep.Module}.json\" to the paths, or install \"{dep.Module}\" first",
                        location));
                    continue;
                }

                if (!provider.Provides.Contains(dep.Service))
                {
                    var others = byService.GetValueOrDefault(dep.Service)?.Where(o => o != provider.Name).ToList();
                    bag.Add(Diagnostic.Error(DiagnosticCodes.ServiceNotProvided, location,
                        $"module \"{module.Name}\" depends on {dep}, but module \"{provider.Name}\" does not provide \"{dep.Service}\" (it provides {Describe(provider.Provides)})",
                        others is { Count: > 0 }
                            ? $"depend on {string.Join(" or ", others.Select(o => $"\"{o}:{dep.Service}\""))} instead, or add \"{dep.Service}\" to the provides of \"{provider.Name}\""
                            : $"add \"{dep.Service}\" to the provides of \"{provider.Name}\" (with services/{dep.Service}/ hook scripts), or remove the dependency"));
                    continue;
                }

                if (installedByName.ContainsKey(provider.Name))
                {
                    usedInstalled.Add(provider.Name);
                }

                edges.Add(new DependencyEdge(module.Name, dep, provider.Name));
            }
        }

        var names = set.Keys.Order(StringComparer.Ordinal).ToList();
        var cycles = CycleFinder.Find(names, edges.Where(e => !e.IsSelf && set.ContainsKey(e.Provider)).ToList());
        foreach (var cycle in cycles)
        {
            var first = set[cycle[0]];
            var next = cycle.Count > 1 ? cycle[1] : cycle[0];
            var dep = edges.First(e => e.Consumer == first.Name && e.Provider == next).Service;
            bag.Add(Diagnostic.Error(DiagnosticCodes.Cycle, DependsOnLocation(first, dep),
                "dependency cycle:\n  " + string.Join("\n  ", cycle.Select((m, i) => $"{m} -> {cycle[(i + 1) % cycle.Count]}")),
                "break the cycle by removing one of these dependencies; a module may depend on its own services, but not on a module that depends back on it"));
        }

        return new DependencyGraph(names, [.. usedInstalled], edges, bag, cycles);
    }

    /// <summary>Modules of the set in install order: providers before consumers, ties broken by name; modules in cycles come last, by name.</summary>
    public IReadOnlyList<string> InstallOrder()
    {
        var inSet = Modules.ToHashSet(StringComparer.Ordinal);
        var indegree = Modules.ToDictionary(m => m, _ => 0, StringComparer.Ordinal);
        var dependents = Modules.ToDictionary(m => m, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var e in Edges.Where(e => !e.IsSelf && inSet.Contains(e.Provider)).DistinctBy(e => (e.Consumer, e.Provider)))
        {
            indegree[e.Consumer]++;
            dependents[e.Provider].Add(e.Consumer);
        }

        var ready = new SortedSet<string>(indegree.Where(kv => kv.Value == 0).Select(kv => kv.Key), StringComparer.Ordinal);
        var order = new List<string>(Modules.Count);
        while (ready.Count > 0)
        {
            var next = ready.Min!;
            ready.Remove(next);
            order.Add(next);
            foreach (var d in dependents[next])
            {
                if (--indegree[d] == 0)
                {
                    ready.Add(d);
                }
            }
        }

        order.AddRange(Modules.Where(m => indegree[m] > 0));
        return order;
    }

    /// <summary>Modules in delete order (the reverse of install order).</summary>
    public IReadOnlyList<string> DeleteOrder() => [.. InstallOrder().Reverse()];

    /// <summary>Edges from a module to its providers.</summary>
    public IReadOnlyList<DependencyEdge> DependenciesOf(string module) => _out.GetValueOrDefault(module) ?? [];

    /// <summary>Modules that depend on <paramref name="module"/> (excluding itself), directly or, with <paramref name="transitive"/>, through others; sorted.</summary>
    public IReadOnlyList<string> DependentsOf(string module, bool transitive = false)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([module]);
        while (queue.Count > 0)
        {
            foreach (var e in _in.GetValueOrDefault(queue.Dequeue()) ?? [])
            {
                if (e.Consumer != module && result.Add(e.Consumer) && transitive)
                {
                    queue.Enqueue(e.Consumer);
                }
            }
        }

        return [.. result];
    }

    private static string Describe(IReadOnlyList<string> provides) =>
        provides.Count == 0 ? "nothing" : string.Join(", ", provides.Select(p => $"\"{p}\""));

    private static SourceLocation DependsOnLocation(ModuleDefinition module, ServiceRef dep)
    {
        if (module.Field("dependsOn") is { Value: JArray array } field)
        {
            for (var i = 0; i < array.Items.Count; i++)
            {
                if (array.Items[i] is JString s && s.Value == dep.ToString())
                {
                    return new SourceLocation(module.File, JsonPathText.Index(field.SourcePath, i), s.Position.Line, s.Position.Column);
                }
            }
        }

        return SourceLocation.ForFile(module.File);
    }
}
