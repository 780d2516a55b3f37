namespace Tappaas.Model.Json;

/// <summary>A 1-based line and column in a source text; <see cref="None"/> for synthesised nodes.</summary>
public readonly record struct TextPosition(int Line, int Column)
{
    /// <summary>No position (the node was created in code).</summary>
    public static TextPosition None => default;
}
