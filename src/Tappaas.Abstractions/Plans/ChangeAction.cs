namespace Tappaas.Abstractions.Plans;

/// <summary>What a planned change does.</summary>
public enum ChangeAction
{
    /// <summary>Nothing: desired and recorded agree.</summary>
    NoOp,

    /// <summary>Create what does not exist yet.</summary>
    Create,

    /// <summary>Change in place.</summary>
    Update,

    /// <summary>Delete and create again (the change cannot be made in place).</summary>
    Replace,

    /// <summary>Remove.</summary>
    Delete,
}
