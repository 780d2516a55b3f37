namespace Tappaas.Abstractions.Guests;

/// <summary>
/// One guest as its platform observed it at one moment: its state, whether it takes traffic, where it is, what it uses.
/// Immutable; a later observation is a new snapshot.
/// </summary>
public sealed record GuestSnapshot
{
    /// <summary>The platform that runs it (embedded, proxmox).</summary>
    public required string Provider { get; init; }

    public required string Guest { get; init; }

    public required string Module { get; init; }

    public GuestStatus Status { get; init; } = GuestStatus.Unknown;

    /// <summary>It passes its readiness check.</summary>
    public bool Ready { get; init; }

    /// <summary>It is being retired: no new traffic should reach it.</summary>
    public bool Draining { get; init; }

    /// <summary>Its supervisor (or hypervisor) watches it: false for a guest whose supervisor is gone.</summary>
    public bool Supervised { get; init; }

    /// <summary>Why its last transition happened.</summary>
    public string? Reason { get; init; }

    /// <summary>What keeps it apart from the host (its guest driver's words).</summary>
    public string Isolation { get; init; } = "";

    /// <summary>Where it is reached (its address in its zone, or 127.0.0.1 for an unisolated guest).</summary>
    public string Address { get; init; } = "";

    /// <summary>Port name → port it is reached on at <see cref="Address"/>.</summary>
    public IReadOnlyDictionary<string, int> Ports { get; init; } = new Dictionary<string, int>();

    /// <summary>Its resource group (e.g. the cgroup), if it has one.</summary>
    public string? ResourceGroup { get; init; }

    public long MemoryLimitMiB { get; init; }

    public double Cores { get; init; }

    /// <summary>Memory it uses now, when measured.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>CPU time its processes used, when measured.</summary>
    public double? CpuSeconds { get; init; }

    public int Restarts { get; init; }

    /// <summary>The workload's process, on platforms that have one on this host.</summary>
    public int? WorkloadPid { get; init; }

    public long? DiskBytes { get; init; }

    public long? DiskLimitBytes { get; init; }

    public bool DiskOver { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? ReadySince { get; init; }

    /// <summary>Takes traffic: running, ready, not draining.</summary>
    public bool Serving => Status == GuestStatus.Running && Ready && !Draining;
}
