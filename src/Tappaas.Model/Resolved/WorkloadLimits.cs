namespace Tappaas.Model.Resolved;

/// <summary>
/// The limits and defaults of the workload block, in one place: validation, the published schema, the CLI's help, scaling
/// and the resolver all read them here.
/// </summary>
public static class WorkloadLimits
{
    /// <summary>The most replicas a workload may have (and the most of maxParallel, maxSurge, canary, autoscale bounds).</summary>
    public const int MaxReplicas = 64;

    /// <summary>Replicas when the workload says none.</summary>
    public const int DefaultReplicas = 1;

    /// <summary>How long a stopping guest gets between SIGTERM and SIGKILL.</summary>
    public static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(10);

    /// <summary>How often a guest's disk is measured against diskSize.</summary>
    public static readonly TimeSpan DefaultDiskCheckInterval = TimeSpan.FromSeconds(30);
}
