namespace Tappaas.Model.Json;

/// <summary>The kind of a JSON value.</summary>
public enum JKind
{
    /// <summary>An object.</summary>
    Object,

    /// <summary>An array.</summary>
    Array,

    /// <summary>A string.</summary>
    String,

    /// <summary>A number (kept as its source text).</summary>
    Number,

    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>null.</summary>
    Null,
}

/// <summary>
/// An immutable JSON value that remembers where it was in its source and keeps object members in source
/// order and numbers as their source text, so a file can be rewritten without changing anything but layout.
/// </summary>
public abstract class JNode
{
    /// <summary>Creates a node at a source position.</summary>
    protected JNode(TextPosition position) => Position = position;

    /// <summary>Where the value starts in its source.</summary>
    public TextPosition Position { get; }

    /// <summary>The value's kind.</summary>
    public abstract JKind Kind { get; }

    /// <summary>
    /// The value as upstream's <c>jq -r</c> prints a scalar: strings unquoted, numbers as written, booleans as
    /// <c>true</c>/<c>false</c>; null for objects, arrays and null.
    /// </summary>
    public virtual string? ScalarText => null;

    /// <summary>Structural equality: same kinds, same member order, same scalar text.</summary>
    public abstract bool DeepEquals(JNode? other);

    /// <summary>The value as messages show it: strings quoted, other scalars as written, containers by kind.</summary>
    public string Display => this is JString s ? $"\"{s.Value}\"" : ScalarText ?? KindName;

    /// <summary>A short name of the kind for messages ("a string", "an array", …).</summary>
    public string KindName => Kind switch
    {
        JKind.Object => "an object",
        JKind.Array => "an array",
        JKind.String => "a string",
        JKind.Number => "a number",
        JKind.Boolean => "a boolean",
        _ => "null",
    };
}
