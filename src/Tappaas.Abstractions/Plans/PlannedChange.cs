using Tappaas.Model.Modules;

namespace Tappaas.Abstractions.Plans;

/// <summary>One step of a plan: a module, or one service a module consumes.</summary>
/// <param name="Module">The module the change is about.</param>
/// <param name="Service">The consumed service (its provider's hooks act for <paramref name="Module"/>), or null for the module's own step.</param>
/// <param name="Action">What happens.</param>
/// <param name="Reasons">Why, one sentence each; empty only for <see cref="ChangeAction.NoOp"/>.</param>
public sealed record PlannedChange(string Module, ServiceRef? Service, ChangeAction Action, IReadOnlyList<string> Reasons)
{
    /// <summary>A stable address: <c>module</c> or <c>module/provider:service</c>.</summary>
    public string Address => Service is { } s ? $"{Module}/{s}" : Module;
}
