using System.Reflection;

namespace Tappaas.Architecture.Tests;

/// <summary>Dependencies point inward: providers and state stores see only the contracts, never the engine; nothing sees the CLI.</summary>
public sealed class ReferenceDirectionTests
{
    private static readonly Dictionary<string, string[]> s_allowed = new()
    {
        ["Tappaas.Model"] = [],
        // The API's versioned types and its typed client: usable by any program, so it sees nothing of TAPPaaS.
        ["Tappaas.Client"] = [],
        ["Tappaas.Abstractions"] = ["Tappaas.Model"],
        ["Tappaas.Engine"] = ["Tappaas.Abstractions", "Tappaas.Model"],
        ["Tappaas.State"] = ["Tappaas.Abstractions", "Tappaas.Model"],
        ["Tappaas.Hooks"] = ["Tappaas.Abstractions", "Tappaas.Model"],
        ["Tappaas.Providers.Fake"] = ["Tappaas.Abstractions", "Tappaas.Model"],
        ["Tappaas.Platform.Proxmox"] = ["Tappaas.Abstractions", "Tappaas.Model"],
        ["Tappaas.Platform.Embedded"] = ["Tappaas.Abstractions", "Tappaas.Model"],
        // The composition root of a site (store, providers, engine), shared by the CLI's in-process mode and the daemon.
        ["Tappaas.Composition"] = ["Tappaas.Model", "Tappaas.Abstractions", "Tappaas.Engine", "Tappaas.State", "Tappaas.Hooks", "Tappaas.Providers.Fake", "Tappaas.Platform.Proxmox", "Tappaas.Platform.Embedded", "Tappaas.Client"],
        ["tappaasd"] = ["Tappaas.Model", "Tappaas.Abstractions", "Tappaas.Engine", "Tappaas.State", "Tappaas.Hooks", "Tappaas.Platform.Embedded", "Tappaas.Composition", "Tappaas.Shim", "Tappaas.Client"],
        ["tappaas"] = ["Tappaas.Model", "Tappaas.Abstractions", "Tappaas.Engine", "Tappaas.State", "Tappaas.Hooks", "Tappaas.Providers.Fake", "Tappaas.Platform.Proxmox", "Tappaas.Platform.Embedded", "Tappaas.Composition", "Tappaas.Client"],
    };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Project_references_point_inward(string assembly)
    {
        var references = Assembly.Load(assembly).GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Tappaas", StringComparison.Ordinal) || n == "tappaas")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.All(references, r => Assert.Contains(r, s_allowed[assembly]));
    }

    public static TheoryData<string> Assemblies() => [.. s_allowed.Keys];
}
