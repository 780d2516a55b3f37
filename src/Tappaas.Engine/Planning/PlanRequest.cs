using Tappaas.Abstractions.State;
using Tappaas.Model.Modules;

namespace Tappaas.Engine.Planning;

/// <summary>Everything the planner needs; it reads nothing else.</summary>
public sealed record PlanRequest
{
    /// <summary>The modules the operator wants (from files).</summary>
    public required IReadOnlyList<ModuleDefinition> Desired { get; init; }

    /// <summary>What the state store recorded, by module name.</summary>
    public required IReadOnlyDictionary<string, InstalledModule> Recorded { get; init; }

    /// <summary>The state revision the plan is made from.</summary>
    public long StateRevision { get; init; }

    /// <summary>
    /// Recorded modules whose guest or objects their providers observed missing (drift), with what was missing; the
    /// plan creates them again.
    /// </summary>
    public IReadOnlyDictionary<string, string> ObservedMissing { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Where a desired value came from, per module and flat field, when the plan should say so (an operator's edit in
    /// the installed copy, a conflict with the release); added to the reasons of the change of that field.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> FieldNotes { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, string>>();

    /// <summary>Plan deletes for recorded modules that are not desired (a whole-site plan).</summary>
    public bool DeleteUnlisted { get; init; }
}
