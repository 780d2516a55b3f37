using System.Text.Json;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;

namespace Tappaas.Cli.Output;

/// <summary>Prints diagnostics for people (one block each) or as the JSON document of <c>validate --json</c>.</summary>
internal static class DiagnosticPrinter
{
    public static void PrintHuman(TextWriter output, IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var d in diagnostics)
        {
            var where = d.Location is null ? "" : d.Location + ": ";
            var path = d.Location is { JsonPath: not "$" } l ? l.JsonPath + ": " : "";
            output.WriteLine($"{where}{d.Severity.ToString().ToLowerInvariant()} {d.Code}: {path}{d.Message}");
            if (d.Hint.Length > 0)
            {
                output.WriteLine($"    hint: {d.Hint}");
            }
        }
    }

    public static object ToJson(Diagnostic d) => new
    {
        severity = d.Severity.ToString().ToLowerInvariant(),
        code = d.Code,
        file = d.Location?.File,
        path = d.Location?.JsonPath,
        line = d.Location?.Line ?? 0,
        column = d.Location?.Column ?? 0,
        message = d.Message,
        hint = d.Hint,
    };

    public static void PrintJson(TextWriter output, object document) =>
        output.WriteLine(JsonSerializer.Serialize(document, JsonOptions.Indented));
}
