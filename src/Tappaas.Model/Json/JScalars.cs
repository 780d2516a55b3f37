namespace Tappaas.Model.Json;

/// <summary>A JSON string.</summary>
public sealed class JString(string value, TextPosition position = default) : JNode(position)
{
    /// <summary>The decoded string.</summary>
    public string Value { get; } = value;

    /// <inheritdoc />
    public override JKind Kind => JKind.String;

    /// <inheritdoc />
    public override string ScalarText => Value;

    /// <inheritdoc />
    public override bool DeepEquals(JNode? other) => other is JString s && s.Value == Value;
}

/// <summary>A JSON number, kept exactly as written.</summary>
public sealed class JNumber(string raw, TextPosition position = default) : JNode(position)
{
    /// <summary>The number's source text, e.g. <c>4096</c> or <c>1.5e3</c>.</summary>
    public string Raw { get; } = raw;

    /// <inheritdoc />
    public override JKind Kind => JKind.Number;

    /// <inheritdoc />
    public override string ScalarText => Raw;

    /// <inheritdoc />
    public override bool DeepEquals(JNode? other) => other is JNumber n && n.Raw == Raw;
}

/// <summary>A JSON boolean.</summary>
public sealed class JBool(bool value, TextPosition position = default) : JNode(position)
{
    /// <summary>The value.</summary>
    public bool Value { get; } = value;

    /// <inheritdoc />
    public override JKind Kind => JKind.Boolean;

    /// <inheritdoc />
    public override string ScalarText => Value ? "true" : "false";

    /// <inheritdoc />
    public override bool DeepEquals(JNode? other) => other is JBool b && b.Value == Value;
}

/// <summary>JSON null.</summary>
public sealed class JNull(TextPosition position = default) : JNode(position)
{
    /// <inheritdoc />
    public override JKind Kind => JKind.Null;

    /// <inheritdoc />
    public override bool DeepEquals(JNode? other) => other is JNull;
}
