using Tappaas.Model.Diagnostics;

namespace Tappaas.Engine.Apply;

/// <summary>How a run ended.</summary>
public enum ApplyStatus
{
    /// <summary>Every step succeeded.</summary>
    Succeeded,

    /// <summary>Applied, but a non-fatal check failed (upstream's exit 1 after update).</summary>
    SucceededWithWarnings,

    /// <summary>A step failed and the completed steps were undone.</summary>
    RolledBack,

    /// <summary>Nothing was done (bad input, locked, stale plan).</summary>
    Refused,
}

/// <summary>The result of an engine command.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Diagnostics">Problems, each naming the object and what to do.</param>
/// <param name="ApplyId">The journalled run, when one was started.</param>
public sealed record ApplyOutcome(ApplyStatus Status, IReadOnlyList<Diagnostic> Diagnostics, long? ApplyId = null)
{
    /// <summary>Refused with one message.</summary>
    public static ApplyOutcome Refuse(string code, string message, string hint = "") =>
        new(ApplyStatus.Refused, [Diagnostic.Error(code, null, message, hint)]);
}
