using System.Reflection;
using System.Xml.Linq;

namespace Tappaas.Architecture.Tests;

/// <summary>
/// Dependencies point inward: providers and state stores see only the contracts, never the engine; nothing sees the CLI.
/// Every assembly built from <c>src/</c> is checked (its <c>AssemblyName</c>, so <c>tappaas</c>, <c>tappaasd</c> and
/// <c>tappaas-shim</c> too), and a project added without a rule here fails the suite.
/// </summary>
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
        // The embedded platform's rooms: host primitives below them all; guests, the zone network and backups apart from
        // each other (a change to the firewall cannot reach the supervisor); the platform itself composes them.
        ["Tappaas.Platform.Embedded.Host"] = ["Tappaas.Abstractions", "Tappaas.Model"],
        ["Tappaas.Platform.Embedded.Guests"] = ["Tappaas.Platform.Embedded.Host", "Tappaas.Abstractions", "Tappaas.Model"],
        ["Tappaas.Platform.Embedded.Network"] = ["Tappaas.Platform.Embedded.Host", "Tappaas.Abstractions", "Tappaas.Model"],
        ["Tappaas.Platform.Embedded.Backup"] = ["Tappaas.Platform.Embedded.Host", "Tappaas.Abstractions", "Tappaas.Model"],
        ["Tappaas.Platform.Embedded"] = ["Tappaas.Platform.Embedded.Guests", "Tappaas.Platform.Embedded.Network", "Tappaas.Platform.Embedded.Backup", "Tappaas.Platform.Embedded.Host",
            "Tappaas.Abstractions", "Tappaas.Model"],
        // The guest supervisor: the guests room only.
        ["tappaas-shim"] = ["Tappaas.Platform.Embedded.Guests", "Tappaas.Platform.Embedded.Host", "Tappaas.Abstractions", "Tappaas.Model"],
        // The composition root of a site (store, providers, engine), shared by the CLI's in-process mode and the daemon.
        ["Tappaas.Composition"] = ["Tappaas.Model", "Tappaas.Abstractions", "Tappaas.Engine", "Tappaas.State", "Tappaas.Hooks", "Tappaas.Providers.Fake", "Tappaas.Platform.Proxmox",
            "Tappaas.Platform.Embedded", "Tappaas.Platform.Embedded.Guests", "Tappaas.Platform.Embedded.Backup", "Tappaas.Platform.Embedded.Network", "Tappaas.Client"],
        // The daemon sees platforms only through the contracts (Abstractions) and the composition root: no platform, no room of one.
        ["tappaasd"] = ["Tappaas.Model", "Tappaas.Abstractions", "Tappaas.Engine", "Tappaas.Composition", "Tappaas.Client"],
        // The CLI: the API's client, the composition root (the same API in-process) and the module model (validate, graph,
        // schema read module files without a site). Nothing of the engine, the platforms or the daemon.
        ["tappaas"] = ["Tappaas.Model", "Tappaas.Composition", "Tappaas.Client"],
    };

    /// <summary>The assembly names of every project under <c>src/</c>, read from the project files.</summary>
    private static IReadOnlyList<string> Shipped { get; } = FindShipped();

    [Fact]
    public void Every_project_under_src_has_a_rule()
    {
        Assert.NotEmpty(Shipped);
        Assert.All(Shipped, name => Assert.True(s_allowed.ContainsKey(name), $"{name} (a project under src/) has no rule in {nameof(ReferenceDirectionTests)}"));
        Assert.All(s_allowed.Keys, name => Assert.Contains(name, Shipped));
    }

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Project_references_point_inward(string assembly)
    {
        var references = Assembly.Load(assembly).GetReferencedAssemblies().Select(a => a.Name!);
        Assert.Empty(Violations(assembly, references));
    }

    [Fact]
    public void A_forbidden_reference_is_reported_whatever_the_assembly_is_called()
    {
        Assert.Equal(["Tappaas.Engine"], Violations("Tappaas.Model", ["System.Runtime", "Tappaas.Engine"]));
        Assert.Equal(["tappaasd"], Violations("tappaas", ["Tappaas.Client", "tappaasd"])); // lower-case names are ours too
        Assert.Equal(["tappaas"], Violations("tappaas-shim", ["tappaas"]));
        Assert.Equal(["Tappaas.Engine", "Tappaas.Platform.Embedded"], Violations("tappaas", ["Tappaas.Client", "Tappaas.Composition", "Tappaas.Engine", "Tappaas.Platform.Embedded"]));
        Assert.Equal(["Tappaas.Platform.Embedded.Guests"], Violations("tappaasd", ["Tappaas.Composition", "Tappaas.Platform.Embedded.Guests"]));
        Assert.Equal(["Tappaas.Platform.Embedded.Guests"], Violations("Tappaas.Platform.Embedded.Network", ["Tappaas.Platform.Embedded.Host", "Tappaas.Platform.Embedded.Guests"]));
        Assert.Equal(["Tappaas.Platform.Embedded.Network"], Violations("Tappaas.Platform.Embedded.Guests", ["Tappaas.Platform.Embedded.Network"]));
        Assert.Empty(Violations("Tappaas.Abstractions", ["Tappaas.Model", "Microsoft.Extensions.Logging"]));
    }

    public static TheoryData<string> Assemblies() => [.. s_allowed.Keys];

    /// <summary>The references of <paramref name="assembly"/> to our own assemblies that its rule does not allow.</summary>
    private static List<string> Violations(string assembly, IEnumerable<string> references) =>
        [.. references.Where(Shipped.Contains).Where(r => !s_allowed[assembly].Contains(r)).Order(StringComparer.Ordinal)];

    private static List<string> FindShipped()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TAPPaaS.slnx")))
        {
            dir = dir.Parent;
        }

        var src = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "src");
        return [.. Directory.GetFiles(src, "*.csproj", SearchOption.AllDirectories)
            .Select(p => XDocument.Load(p).Descendants("AssemblyName").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(p))
            .Order(StringComparer.Ordinal)];
    }
}
