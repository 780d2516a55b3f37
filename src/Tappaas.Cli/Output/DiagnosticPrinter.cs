using System.Text.Json;
using System.Text.Json.Nodes;
using Tappaas.Client;
using Tappaas.Composition;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;

namespace Tappaas.Cli.Output;

/// <summary>
/// The one printer of diagnostics, on the API's <see cref="DiagnosticV1"/> records: for people (one block each: where,
/// severity, code, JSON path, message, hint) or as JSON. The model's diagnostics (validate, graph, which need no site)
/// are turned into the same records first, so a problem reads the same whichever way a command ran.
/// </summary>
internal static class DiagnosticPrinter
{
    public static void PrintHuman(TextWriter output, IEnumerable<Diagnostic> diagnostics) => PrintHuman(output, diagnostics.Select(SiteApi.ToV1));

    public static void PrintHuman(TextWriter output, IEnumerable<DiagnosticV1> diagnostics)
    {
        foreach (var d in diagnostics)
        {
            var where = d.File is null ? "" : (d.Line is > 0 ? $"{d.File}:{d.Line}:{d.Column ?? 0}" : d.File) + ": ";
            var path = d.Path is { Length: > 0 } and not "$" ? d.Path + ": " : "";
            output.WriteLine($"{where}{d.Severity} {d.Code}: {path}{d.Message}");
            if (d.Hint.Length > 0)
            {
                output.WriteLine($"    hint: {d.Hint}");
            }
        }
    }

    public static JsonObject ToJson(Diagnostic d) => ToJson(SiteApi.ToV1(d));

    public static JsonObject ToJson(DiagnosticV1 d) => new()
    {
        ["severity"] = d.Severity,
        ["code"] = d.Code,
        ["file"] = d.File,
        ["path"] = d.Path,
        ["line"] = d.Line ?? 0,
        ["column"] = d.Column ?? 0,
        ["message"] = d.Message,
        ["hint"] = d.Hint,
    };

    /// <summary>Diagnostics as a JSON array of <see cref="ToJson(DiagnosticV1)"/> objects.</summary>
    public static JsonArray ToJson(IEnumerable<DiagnosticV1> diagnostics) => JsonOut.Array(diagnostics, ToJson);

    /// <summary>Diagnostics as a JSON array of <see cref="ToJson(Diagnostic)"/> objects.</summary>
    public static JsonArray ToJson(IEnumerable<Diagnostic> diagnostics) => JsonOut.Array(diagnostics, ToJson);

    /// <summary>A document the command built, indented, camelCase names as written.</summary>
    public static void PrintJson(TextWriter output, JsonNode document) => output.WriteLine(document.ToJsonString(JsonOptions.Indented));

    /// <summary>One of the API's records (or a list of them), indented, camelCase.</summary>
    public static void PrintRecord<T>(TextWriter output, T record) => output.WriteLine(JsonSerializer.Serialize(record, JsonOut.Info<T>()));
}
