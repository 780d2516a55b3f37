namespace Tappaas.Engine.Merging;

/// <summary>What happened to one leaf during a 3-way merge.</summary>
public enum MergeOutcome
{
    /// <summary>The operator's value is kept (platform-stamped field, or a field only the operator has).</summary>
    Kept,

    /// <summary>The release's new value replaces a value the operator never changed.</summary>
    Adopted,

    /// <summary>The operator changed the value; it stays.</summary>
    Pinned,

    /// <summary>A field new in the release is added.</summary>
    Added,

    /// <summary>The operator changed the value and the release changed it too, differently: the operator's stays, and it is reported.</summary>
    Conflict,
}
