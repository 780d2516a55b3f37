using Tappaas.Model.Json;

namespace Tappaas.Model.Loading;

/// <summary>One JSON file found under the given paths.</summary>
/// <param name="DisplayPath">The path as shown to the user (relative when the user gave a relative path).</param>
/// <param name="FullPath">The absolute path.</param>
/// <param name="Kind">What the file is.</param>
/// <param name="Root">The parsed document, or null when it could not be parsed.</param>
public sealed record LoadedFile(string DisplayPath, string FullPath, JsonFileKind Kind, JNode? Root);
