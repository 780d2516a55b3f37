using Tappaas.Platform.Embedded.Guests.Cgroups;
using Tappaas.Model.Resolved;


namespace Tappaas.Platform.Embedded.Guests;

/// <summary>Everything a guest's supervisor (shim) needs, written to <c>&lt;site&gt;/guests/&lt;guest&gt;/spec.json</c>.</summary>
public sealed record GuestSpecFile
{
    public required string Guest { get; init; }

    public required string Module { get; init; }

    public required string Command { get; init; }

    public IReadOnlyList<string> Args { get; init; } = [];

    public Dictionary<string, string> Env { get; init; } = [];

    public required string WorkingDir { get; init; }

    /// <summary><c>namespaces</c> or <c>none</c>.</summary>
    public required string Isolation { get; init; }

    /// <summary>The guest driver that runs the workload (<see cref="Drivers.GuestDrivers"/>): what the guest is.</summary>
    public string Driver { get; init; } = Drivers.GuestDrivers.Process;

    public string? Namespace { get; init; }

    /// <summary>The image guest's container (the <c>oci</c> driver); null for the other drivers.</summary>
    public Oci.OciGuest? Oci { get; init; }

    /// <summary>Where probes reach the guest (its address, or 127.0.0.1 without isolation).</summary>
    public required string Address { get; init; }

    public string Hostname { get; init; } = "";

    public CgroupMode CgroupMode { get; init; }

    public string CgroupName { get; init; } = "";

    public long MemoryMiB { get; init; }

    public int Cores { get; init; }

    /// <summary>Port name → port the probes use.</summary>
    public Dictionary<string, int> Ports { get; init; } = [];

    public HealthCheck? Liveness { get; init; }

    public HealthCheck? Readiness { get; init; }

    public RestartPolicy Restart { get; init; } = new();

    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The site folder (its secret store resolves <c>${secret:NAME}</c> in <see cref="Env"/> at each start).</summary>
    public string? SiteFolder { get; init; }

    /// <summary>The guest's disk: its data folder, measured by the shim.</summary>
    public string? DataDir { get; init; }

    /// <summary>The module's <c>diskSize</c> in bytes; crossing it is an event.</summary>
    public long? DiskLimitBytes { get; init; }

    /// <summary>How often the disk is measured.</summary>
    public TimeSpan DiskCheckInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Rotate stdout/stderr logs at this size.</summary>
    public long LogBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Rotated log files kept.</summary>
    public int LogFiles { get; init; } = 3;
}

/// <summary>What the shim reports in <c>state.json</c>.</summary>
public sealed record GuestState
{
    public int ShimPid { get; init; }

    public int WorkloadPid { get; init; }

    /// <summary>When the workload's process started (clock ticks since boot, as <c>/proc/PID/stat</c> has it): a later supervisor finds exactly it, never a reused pid.</summary>
    public long WorkloadStartTime { get; init; }

    /// <summary>starting, running, restarting, failed, stopped.</summary>
    public string Status { get; init; } = "starting";

    public bool Ready { get; init; }

    public int Restarts { get; init; }

    public int? LastExitCode { get; init; }

    /// <summary>Why the last transition happened (exit, liveness failure, out of memory, restart limit).</summary>
    public string Reason { get; init; } = "";

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? ReadySince { get; init; }

    public string Isolation { get; init; } = "";

    public string Address { get; init; } = "";

    public string Cgroup { get; init; } = "";

    /// <summary>Bytes used by the guest's disk at the last measurement.</summary>
    public long DiskBytes { get; init; }

    /// <summary>True while the disk is over the module's <c>diskSize</c>.</summary>
    public bool DiskOver { get; init; }
}
