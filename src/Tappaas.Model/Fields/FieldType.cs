namespace Tappaas.Model.Fields;

/// <summary>The declared type of a module field.</summary>
public enum FieldType
{
    /// <summary>Text. Numbers and booleans are accepted as their text, as upstream does.</summary>
    String,

    /// <summary>Whole number. A string holding one (<c>"4096"</c>) is accepted, as upstream does.</summary>
    Integer,

    /// <summary>true/false. The strings "true"/"false" are accepted.</summary>
    Boolean,

    /// <summary>A JSON array; items are checked by <see cref="FieldDefinition.Items"/>.</summary>
    Array,

    /// <summary>A JSON object.</summary>
    Object,
}
