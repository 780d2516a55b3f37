using System.Text.Json;
using Json.Schema;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Fields;
using Tappaas.Model.Loading;
using Tappaas.Model.Validation;
using Tappaas.TestUtilities;

namespace Tappaas.Model.Tests.Validation;

/// <summary>The published JSON Schema is the validator's field table, and a standard schema evaluator agrees with the validator on the corpus.</summary>
public sealed class ModuleSchemaTests
{
    private static readonly Lazy<JsonSchema> s_schema = new(() => JsonSchema.FromText(File.ReadAllText(Path.Combine(RepoPaths.Root, "schema", "module.schema.json"))));

    private static EvaluationResults Evaluate(string json)
    {
        using var document = JsonDocument.Parse(json);
        return s_schema.Value.Evaluate(document.RootElement.Clone(), new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    [Fact]
    public void The_published_schema_is_the_generated_one()
    {
        var published = File.ReadAllText(Path.Combine(RepoPaths.Root, "schema", "module.schema.json"));
        Assert.True(published == ModuleSchema.Generate(), "schema/module.schema.json is stale: regenerate it with ./tappaas schema > schema/module.schema.json");
    }

    [CorpusFact]
    public void Corpus_modules_the_validator_accepts_pass_the_schema_and_the_bad_disk_size_fails_it()
    {
        var workspace = WorkspaceLoader.Load([Corpus.Root]);
        var result = WorkspaceValidator.Validate(workspace);
        var fieldErrors = result.Diagnostics.Where(d => d.Severity == Severity.Error && d.Code.StartsWith("TAP01", StringComparison.Ordinal) && d.Location is not null)
            .Select(d => Path.GetFullPath(d.Location!.File)).ToHashSet();
        var modules = workspace.Files.Where(f => f.Kind == JsonFileKind.Module).ToList();
        Assert.True(modules.Count >= 40);
        var failures = new List<string>();
        foreach (var file in modules)
        {
            var evaluation = Evaluate(File.ReadAllText(file.FullPath));
            if (!evaluation.IsValid && !fieldErrors.Contains(file.FullPath))
            {
                failures.Add($"{file.DisplayPath}: {string.Join("; ", (evaluation.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Value}")))}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        var bad = modules.Where(f => File.ReadAllText(f.FullPath).Contains("\"16GB\"", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(bad);
        Assert.All(bad, f =>
        {
            var evaluation = Evaluate(File.ReadAllText(f.FullPath));
            Assert.False(evaluation.IsValid);
            Assert.Contains(evaluation.Details ?? [], d => d.InstanceLocation.ToString().EndsWith("/diskSize", StringComparison.Ordinal) && d.Errors is { Count: > 0 });
        });
    }

    [Theory]
    [InlineData("""{"vmid": "abc"}""", "/vmid")]
    [InlineData("""{"cores": 0}""", "/cores")]
    [InlineData("""{"ingress": [{"from": "home", "ports": [443]}]}""", "/ingress/0")]
    [InlineData("""{"config": {"cluster:vm": {"workload": {"command": "x", "volumes": ["data"]}}}}""", "/config/cluster:vm/workload/volumes/0")]
    [InlineData("""{"config": {"cluster:vm": {"workload": {"command": "x", "stopGrace": "soon"}}}}""", "/config/cluster:vm/workload/stopGrace")]
    public void The_schema_rejects_what_the_validator_rejects(string module, string location)
    {
        var evaluation = Evaluate(module);
        Assert.False(evaluation.IsValid);
        Assert.Contains(evaluation.Details ?? [], d => d.InstanceLocation.ToString() == location && d.Errors is { Count: > 0 });
        Assert.NotEmpty(Support.Validate(module).Errors());
    }
}
