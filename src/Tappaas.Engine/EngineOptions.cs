using Tappaas.Abstractions.Providers;

namespace Tappaas.Engine;

/// <summary>Flags of the mutating commands (upstream's names where they overlap).</summary>
public sealed record EngineOptions
{
    /// <summary>install: re-run against an installed module; update: continue past a failing pre-test; delete: ignore dependents and remove.</summary>
    public bool Force { get; init; }

    /// <summary>update: skip the snapshot (and the pre-test, as upstream does).</summary>
    public bool NoSnapshot { get; init; }

    /// <summary>delete: archive (keep config and backups) rather than remove.</summary>
    public bool Archive { get; init; } = true;

    /// <summary>Operator flags for hooks.</summary>
    public HookFlags Flags { get; init; } = HookFlags.None;
}
