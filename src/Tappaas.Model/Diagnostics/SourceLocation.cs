namespace Tappaas.Model.Diagnostics;

/// <summary>Where in an input file a diagnostic points: file, JSON path and 1-based line and column.</summary>
/// <param name="File">The file as the user named it (relative paths stay relative).</param>
/// <param name="JsonPath">A JSONPath-like address such as <c>$.config["cluster:vm"].memory</c>; <c>$</c> for the whole document.</param>
/// <param name="Line">1-based line, 0 when unknown.</param>
/// <param name="Column">1-based column, 0 when unknown.</param>
public sealed record SourceLocation(string File, string JsonPath, int Line, int Column)
{
    /// <summary>A location that names only a file.</summary>
    public static SourceLocation ForFile(string file) => new(file, "$", 0, 0);

    /// <inheritdoc />
    public override string ToString() =>
        Line > 0 ? $"{File}:{Line}:{Column}" : File;
}
