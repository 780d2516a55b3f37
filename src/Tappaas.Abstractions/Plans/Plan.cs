namespace Tappaas.Abstractions.Plans;

/// <summary>
/// The ordered changes that bring recorded state to the desired state. A plan is data: it can be printed,
/// serialised, approved and applied later, but only while the state is still at <see cref="StateRevision"/>.
/// </summary>
/// <param name="StateRevision">The state revision the plan was made from.</param>
/// <param name="Changes">Changes in the order they must be applied.</param>
public sealed record Plan(long StateRevision, IReadOnlyList<PlannedChange> Changes)
{
    /// <summary>True when any change is not a no-op.</summary>
    public bool HasChanges => Changes.Any(c => c.Action != ChangeAction.NoOp);
}
