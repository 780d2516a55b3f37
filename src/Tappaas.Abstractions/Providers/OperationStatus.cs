namespace Tappaas.Abstractions.Providers;

/// <summary>How an operation ended, with upstream's exit-code meaning.</summary>
public enum OperationStatus
{
    /// <summary>Exit 0: done.</summary>
    Ok = 0,

    /// <summary>Exit 1: failed, nothing broken beyond this step (for tests: a failed check).</summary>
    Failed = 1,

    /// <summary>Exit 2: fatal; the caller must roll back.</summary>
    Fatal = 2,
}
