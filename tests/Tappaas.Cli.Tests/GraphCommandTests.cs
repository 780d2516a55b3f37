using System.Text.Json;
using Tappaas.TestUtilities;

namespace Tappaas.Cli.Tests;

public sealed class GraphCommandTests
{
    private static TempDir Stack()
    {
        var dir = new TempDir();
        dir.Write("cluster/cluster.json", """{"description": "c", "version": "1.0", "provides": ["vm"]}""");
        dir.Write("litellm/litellm.json", """{"vmid": 310, "image": "x", "dependsOn": ["cluster:vm"], "provides": ["models"]}""");
        dir.Write("openwebui/openwebui.json", """{"vmid": 311, "image": "x", "dependsOn": ["litellm:models", "cluster:vm"]}""");
        return dir;
    }

    [Fact]
    public void Order_prints_providers_first()
    {
        using var dir = Stack();
        var (code, output, _) = CliRunner.Run("order", "--json", dir.Path);
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(["cluster", "litellm", "openwebui"], doc.RootElement.GetProperty("order").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Delete_order_is_reversed()
    {
        using var dir = Stack();
        var (code, output, _) = CliRunner.Run("order", "--delete", dir.Path);
        Assert.Equal(0, code);
        Assert.Equal(["openwebui", "litellm", "cluster"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim().Split("  ")[1]));
    }

    [Theory]
    [InlineData("dot", "\"openwebui\" -> \"litellm\" [label=\"models\"];")]
    [InlineData("mermaid", "flowchart LR")]
    [InlineData("text", "openwebui\n  -> litellm:models")]
    public void Graph_formats(string format, string expected)
    {
        using var dir = Stack();
        var (code, output, _) = CliRunner.Run("graph", "--format", format, dir.Path);
        Assert.Equal(0, code);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Dependents_of_a_module()
    {
        using var dir = Stack();
        var (code, output, _) = CliRunner.Run("graph", "--dependents-of", "cluster", dir.Path);
        Assert.Equal(0, code);
        Assert.Equal("litellm\nopenwebui\n", output);
    }

    [Fact]
    public void Cycle_exits_1_with_a_readable_message()
    {
        using var dir = new TempDir();
        dir.Write("a.json", """{"dependsOn": ["b:y"], "provides": ["x"]}""");
        dir.Write("b.json", """{"dependsOn": ["a:x"], "provides": ["y"]}""");
        var (code, _, error) = CliRunner.Run("order", dir.Path);
        Assert.Equal(1, code);
        Assert.Contains("dependency cycle:\n  a -> b\n  b -> a", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Installed_folder_provides_services()
    {
        using var site = new TempDir();
        site.Write("cluster.json", """{"description": "c", "version": "1.0", "provides": ["vm"]}""");
        using var dir = new TempDir();
        dir.Write("app.json", """{"vmid": 300, "image": "x", "dependsOn": ["cluster:vm"]}""");
        var (code, output, error) = CliRunner.Run("order", "--installed", site.Path, dir.Path);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("app", output, StringComparison.Ordinal);
    }
}
