namespace Tappaas.Model.Diagnostics;

/// <summary>
/// One problem found in user input or while acting on it. Validation, planning and providers return
/// diagnostics instead of throwing for user mistakes.
/// </summary>
/// <param name="Severity">Error, warning or info.</param>
/// <param name="Code">A stable identifier such as <c>TAP0101</c>, listed in <see cref="DiagnosticCodes"/>.</param>
/// <param name="Message">What is wrong, naming the object.</param>
/// <param name="Hint">How to fix it; may be empty.</param>
/// <param name="Location">File, JSON path, line and column; null when the problem is not tied to a file.</param>
public sealed record Diagnostic(Severity Severity, string Code, string Message, string Hint, SourceLocation? Location)
{
    /// <summary>Creates an error.</summary>
    public static Diagnostic Error(string code, SourceLocation? location, string message, string hint = "") =>
        new(Severity.Error, code, message, hint, location);

    /// <summary>Creates a warning.</summary>
    public static Diagnostic Warning(string code, SourceLocation? location, string message, string hint = "") =>
        new(Severity.Warning, code, message, hint, location);

    /// <summary>Creates an informational note.</summary>
    public static Diagnostic Info(string code, SourceLocation? location, string message, string hint = "") =>
        new(Severity.Info, code, message, hint, location);

    /// <inheritdoc />
    public override string ToString()
    {
        var where = Location is null ? "" : $"{Location}: {(Location.JsonPath == "$" ? "" : Location.JsonPath + ": ")}";
        var sev = Severity.ToString().ToLowerInvariant();
        return Hint.Length == 0 ? $"{sev} {Code}: {where}{Message}" : $"{sev} {Code}: {where}{Message} (hint: {Hint})";
    }
}
