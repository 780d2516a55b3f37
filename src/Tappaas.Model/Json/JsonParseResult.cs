using Tappaas.Model.Diagnostics;

namespace Tappaas.Model.Json;

/// <summary>The outcome of parsing one JSON file: a tree, or diagnostics saying why not (or both, for warnings).</summary>
/// <param name="Root">The document's root value; null when the file could not be parsed.</param>
/// <param name="Diagnostics">Syntax errors and warnings such as duplicate keys.</param>
public sealed record JsonParseResult(JNode? Root, IReadOnlyList<Diagnostic> Diagnostics);
