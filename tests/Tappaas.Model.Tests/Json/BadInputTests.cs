using System.Text;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;
using Tappaas.Model.Loading;
using Tappaas.Model.Validation;
using Tappaas.TestUtilities;

namespace Tappaas.Model.Tests.Json;

public sealed class BadInputTests
{
    private static IReadOnlyList<Diagnostic> ValidateFile(string name, byte[] content)
    {
        using var dir = new TempDir();
        var path = dir.WriteBytes(name, content);
        var workspace = WorkspaceLoader.Load([path]);
        return WorkspaceValidator.Validate(workspace).Diagnostics;
    }

    private static Diagnostic OnlyError(string name, byte[] content) => Assert.Single(ValidateFile(name, content), d => d.Severity == Severity.Error);

    [Fact]
    public void Truncated_file_points_at_the_end()
    {
        var d = OnlyError("m.json", "{\n  \"vmid\": 200,\n  \"dependsOn\": [\"cluster:vm\""u8.ToArray());
        Assert.Equal(DiagnosticCodes.InvalidJson, d.Code);
        Assert.Equal(3, d.Location!.Line);
    }

    [Fact]
    public void Empty_file()
    {
        Assert.Equal(DiagnosticCodes.EmptyFile, OnlyError("m.json", "  \n"u8.ToArray()).Code);
        Assert.Equal(DiagnosticCodes.EmptyFile, OnlyError("m.json", []).Code);
    }

    [Fact]
    public void Invalid_utf8()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"description\": \"caf\"}").ToList();
        bytes.InsertRange(19, new byte[] { 0xC3, 0x28 });
        Assert.Equal(DiagnosticCodes.InvalidUtf8, OnlyError("m.json", [.. bytes]).Code);
    }

    [Fact]
    public void Ten_thousand_levels_of_nesting()
    {
        var text = "{\"vmid\": " + new string('[', 10_000) + new string(']', 10_000) + "}";
        var d = OnlyError("m.json", Encoding.UTF8.GetBytes(text));
        Assert.Equal(DiagnosticCodes.TooDeep, d.Code);
    }

    [Fact]
    public void Fifty_megabyte_file_is_refused_unread()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "big.json");
        using (var f = File.Create(path))
        {
            f.SetLength(50L * 1024 * 1024);
        }

        var d = Assert.Single(WorkspaceLoader.Load([path]).Diagnostics);
        Assert.Equal(DiagnosticCodes.FileTooLarge, d.Code);
        Assert.Contains("50 MiB", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_root_type()
    {
        Assert.Equal(DiagnosticCodes.RootNotObject, OnlyError("m.json", "[1, 2]"u8.ToArray()).Code);
        Assert.Equal(DiagnosticCodes.RootNotObject, OnlyError("m.json", "42"u8.ToArray()).Code);
    }

    [Fact]
    public void Wrong_types_and_out_of_range_numbers()
    {
        var bag = ValidateFile("m.json", """{"vmid": 99999999999999999999999, "cores": [], "memory": {"a": 1}, "dependsOn": "cluster:vm", "config": 3}"""u8.ToArray());
        Assert.Equal(
            ["$.config", "$.cores", "$.dependsOn", "$.memory"],
            bag.Where(d => d.Code == DiagnosticCodes.WrongType).Select(d => d.Location!.JsonPath).Order());
        // A whole number too large for any field is out of range, not of the wrong type.
        var vmid = Assert.Single(bag, d => d.Location!.JsonPath == "$.vmid");
        Assert.Equal(DiagnosticCodes.AboveMaximum, vmid.Code);
        Assert.Contains("out of range (the maximum is 999999)", vmid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Folder_without_modules()
    {
        using var dir = new TempDir();
        dir.Write("notes.txt", "hello");
        var d = Assert.Single(WorkspaceLoader.Load([dir.Path]).Diagnostics);
        Assert.Equal(DiagnosticCodes.NothingFound, d.Code);
    }

    [Fact]
    public void Duplicate_keys_warn_and_the_last_wins()
    {
        var parsed = JsonSource.Parse("m.json", """{"cores": 1, "cores": 2}"""u8);
        Assert.Equal(DiagnosticCodes.DuplicateKey, Assert.Single(parsed.Diagnostics).Code);
        Assert.Equal("2", ((JObject)parsed.Root!)["cores"]!.ScalarText);
    }

    [Fact]
    public void Byte_order_mark_is_accepted()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat("{\"description\": \"x\", \"version\": \"1.0\"}"u8.ToArray()).ToArray();
        Assert.DoesNotContain(ValidateFile("m.json", bytes), d => d.Severity == Severity.Error);
    }

    [Fact]
    public void Missing_path_is_flagged_as_a_usage_problem()
    {
        var workspace = WorkspaceLoader.Load(["/nonexistent/tappaas/x.json"]);
        Assert.True(workspace.HasMissingPaths);
        Assert.Equal(DiagnosticCodes.PathNotFound, Assert.Single(workspace.Diagnostics).Code);
    }
}
