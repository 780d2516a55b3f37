using Tappaas.Model.Diagnostics;
using Tappaas.Model.Graph;
using Tappaas.Model.Modules;

namespace Tappaas.Model.Tests.Graph;

public sealed class DependencyGraphTests
{
    private static ModuleDefinition M(string name, string[] dependsOn, params string[] provides) =>
        Support.Module($$"""{"dependsOn": [{{string.Join(", ", dependsOn.Select(d => $"\"{d}\""))}}], "provides": [{{string.Join(", ", provides.Select(p => $"\"{p}\""))}}]}""", name);

    [Fact]
    public void Install_order_is_topological_with_ties_broken_by_name()
    {
        var graph = DependencyGraph.Build(
        [
            // dependsOn order must not matter: openwebui lists litellm last
            M("openwebui", ["litellm:models", "cluster:vm"]),
            M("litellm", ["cluster:vm", "vllm:inference"], "models"),
            M("vllm", ["cluster:lxc"], "inference"),
            M("cluster", [], "vm", "lxc"),
            M("backup", [], "vm"),
            M("zeta", ["cluster:vm"]),
            M("alpha", ["cluster:vm"]),
        ]);
        Assert.Empty(graph.Diagnostics);
        Assert.Equal(["backup", "cluster", "alpha", "vllm", "litellm", "openwebui", "zeta"], graph.InstallOrder());
        Assert.Equal(["zeta", "openwebui", "litellm", "vllm", "alpha", "cluster", "backup"], graph.DeleteOrder());
    }

    [Fact]
    public void Self_dependency_is_legal()
    {
        var graph = DependencyGraph.Build([M("firewall", ["cluster:vm", "firewall:proxy"], "proxy"), M("cluster", [], "vm")]);
        Assert.Empty(graph.Diagnostics);
        Assert.Equal(["cluster", "firewall"], graph.InstallOrder());
        Assert.Contains(graph.Edges, e => e.IsSelf);
    }

    [Fact]
    public void Cycles_are_reported_in_a_stable_readable_form()
    {
        var modules = new[] { M("c", ["a:x"], "z"), M("a", ["b:y"], "x"), M("b", ["c:z"], "y"), M("d", ["a:x"]) };
        var first = DependencyGraph.Build(modules);
        var second = DependencyGraph.Build(modules.Reverse());
        var d = first.Diagnostics.Single(DiagnosticCodes.Cycle);
        Assert.Equal("dependency cycle:\n  a -> b\n  b -> c\n  c -> a", d.Message);
        Assert.Equal(d.Message, second.Diagnostics.Single(DiagnosticCodes.Cycle).Message);
        Assert.Equal(["a", "b", "c"], Assert.Single(first.Cycles));
        Assert.Equal(["a", "b", "c", "d"], first.InstallOrder().Order());
    }

    [Fact]
    public void Missing_providers_and_services_name_both_sides()
    {
        var graph = DependencyGraph.Build(
            [M("app", ["templates:windows", "ghost:vm"]), M("templates", [], "nixos", "debian"), M("winserver", [], "windows")]);
        var notProvided = graph.Diagnostics.Single(DiagnosticCodes.ServiceNotProvided);
        Assert.Contains("\"app\" depends on templates:windows", notProvided.Message, StringComparison.Ordinal);
        Assert.Contains("\"templates\" does not provide \"windows\"", notProvided.Message, StringComparison.Ordinal);
        Assert.Contains("winserver:windows", notProvided.Hint, StringComparison.Ordinal);
        var missing = graph.Diagnostics.Single(DiagnosticCodes.ProviderMissing);
        Assert.Equal(Severity.Error, missing.Severity);
        Assert.Equal("$.dependsOn[1]", missing.Location!.JsonPath);
    }

    [Fact]
    public void Installed_modules_provide_services()
    {
        var graph = DependencyGraph.Build([M("app", ["cluster:vm"])], [M("cluster", [], "vm")]);
        Assert.Empty(graph.Diagnostics);
        Assert.Equal(["app"], graph.InstallOrder());
        Assert.Equal(["cluster"], graph.InstalledProviders);
    }

    [Fact]
    public void Dependents_direct_and_transitive()
    {
        var graph = DependencyGraph.Build(
            [M("cluster", [], "vm"), M("litellm", ["cluster:vm"], "models"), M("openwebui", ["litellm:models", "cluster:vm"]), M("other", [])]);
        Assert.Equal(["litellm", "openwebui"], graph.DependentsOf("cluster"));
        Assert.Equal(["openwebui"], graph.DependentsOf("litellm"));
        Assert.Equal(["litellm", "openwebui"], graph.DependentsOf("cluster", transitive: true));
        Assert.Empty(graph.DependentsOf("other"));
    }

    [Theory]
    [InlineData(GraphFormat.Dot, "\"openwebui\" -> \"litellm\" [label=\"models\"];")]
    [InlineData(GraphFormat.Mermaid, "-->|models|")]
    [InlineData(GraphFormat.Text, "openwebui\n  -> litellm:models\n")]
    [InlineData(GraphFormat.Json, "\"provider\": \"litellm\"")]
    public void Renders_every_format(GraphFormat format, string expected)
    {
        var graph = DependencyGraph.Build([M("litellm", [], "models"), M("openwebui", ["litellm:models"])]);
        Assert.Contains(expected, GraphRenderer.Render(graph, format), StringComparison.Ordinal);
    }
}
