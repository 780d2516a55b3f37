using Tappaas.Model.Json;

namespace Tappaas.Model.Diagnostics;

/// <summary>Reports diagnostics about one file, turning JSON paths and node positions into locations.</summary>
/// <param name="file">The file diagnostics are about.</param>
/// <param name="bag">Where they go.</param>
/// <param name="errorsAsWarnings">Report errors as warnings (a legacy file that is read but not held to today's rules).</param>
public sealed class DiagnosticSink(string file, DiagnosticBag bag, bool errorsAsWarnings = false)
{
    /// <summary>The file diagnostics are about.</summary>
    public string File { get; } = file;

    /// <summary>Where diagnostics go.</summary>
    public DiagnosticBag Bag { get; } = bag;

    /// <summary>A location in this file.</summary>
    public SourceLocation At(string path, TextPosition position) => new(File, path, position.Line, position.Column);

    /// <summary>Reports an error.</summary>
    public void Error(string code, string path, TextPosition position, string message, string hint = "") =>
        Bag.Add(errorsAsWarnings ? Diagnostic.Warning(code, At(path, position), message, hint) : Diagnostic.Error(code, At(path, position), message, hint));

    /// <summary>Reports a warning.</summary>
    public void Warning(string code, string path, TextPosition position, string message, string hint = "") =>
        Bag.Add(Diagnostic.Warning(code, At(path, position), message, hint));

    /// <summary>Reports an informational note.</summary>
    public void Info(string code, string path, TextPosition position, string message, string hint = "") =>
        Bag.Add(Diagnostic.Info(code, At(path, position), message, hint));
}
