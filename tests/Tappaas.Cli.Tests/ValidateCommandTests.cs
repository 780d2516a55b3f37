using System.Text.Json;
using Tappaas.TestUtilities;

namespace Tappaas.Cli.Tests;

public sealed class ValidateCommandTests
{
    [Fact]
    public void Valid_module_exits_0()
    {
        using var dir = new TempDir();
        dir.Write("zones.json", """{"srvHome": {"type": "Service", "state": "Active", "typeId": 2, "subId": 10, "vlantag": 210, "ip": "10.2.10.0/24"}}""");
        dir.Write("app/app.json", """{"description": "x", "version": "1.0", "vmid": 300, "zone0": "srvHome", "dependsOn": ["cluster:vm"], "config": {"cluster:vm": {"image": "8080"}}}""");
        dir.Write("cluster/cluster.json", """{"description": "c", "version": "1.0", "provides": ["vm"]}""");
        var (code, output, _) = CliRunner.Run("validate", dir.Path);
        Assert.Equal(0, code);
        Assert.Contains("0 error(s)", output, StringComparison.Ordinal);
    }

    [CorpusFact]
    public void Errors_exit_1_and_json_has_the_documented_shape()
    {
        var (code, output, _) = CliRunner.Run("validate", "--json", Corpus.PathOf("src/test/test-img.json"));
        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(output);
        var diag = doc.RootElement.GetProperty("diagnostics").EnumerateArray().Single(d => d.GetProperty("severity").GetString() == "error");
        foreach (var key in new[] { "severity", "file", "path", "line", "column", "message", "hint" })
        {
            Assert.True(diag.TryGetProperty(key, out _), key);
        }

        Assert.Equal("$.diskSize", diag.GetProperty("path").GetString());
        Assert.Equal(8, diag.GetProperty("line").GetInt32());
        Assert.Equal(1, doc.RootElement.GetProperty("summary").GetProperty("errors").GetInt32());
        Assert.False(doc.RootElement.GetProperty("summary").GetProperty("valid").GetBoolean());
    }

    [CorpusFact]
    public void Human_output_names_file_line_path_and_hint()
    {
        var (_, output, _) = CliRunner.Run("validate", Corpus.PathOf("src/test/test-img.json"));
        Assert.Contains("test-img.json:8:17: error TAP0103: $.diskSize: diskSize \"16GB\" does not match", output, StringComparison.Ordinal);
        Assert.Contains("    hint: write it like \"16G\"", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("validate", "--no-such-flag", ".")]
    [InlineData("frobnicate")]
    [InlineData("validate", "/no/such/path.json")]
    [InlineData("order", "/no/such/dir")]
    public void Usage_errors_exit_2_without_a_stack_trace(params string[] args)
    {
        var (code, output, error) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.DoesNotContain("   at ", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public void Folder_without_modules_exits_1()
    {
        using var dir = new TempDir();
        var (code, output, _) = CliRunner.Run("validate", dir.Path);
        Assert.Equal(1, code);
        Assert.Contains("TAP0009", output, StringComparison.Ordinal);
    }

    [CorpusFact]
    public void Whole_corpus_reports_everything_in_one_run()
    {
        var (code, output, _) = CliRunner.Run("validate", "--json", Corpus.Root);
        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(output);
        var codes = doc.RootElement.GetProperty("diagnostics").EnumerateArray().Select(d => d.GetProperty("code").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "TAP0103", "TAP0302", "TAP0117", "TAP0201", "TAP0602", "TAP0604", "TAP0301" }, codes);
        Assert.Equal(44, doc.RootElement.GetProperty("summary").GetProperty("modules").GetInt32());
    }
}
