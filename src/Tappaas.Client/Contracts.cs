namespace Tappaas.Client;

// The API's own types (version 1): stable for clients, separate from the engine's records.

/// <summary>The daemon's health.</summary>
public sealed record HealthV1(string Status, string Site, DateTimeOffset Time);

/// <summary>An installed module.</summary>
public sealed record ModuleV1(string Name, int Revision, string Status, DateTimeOffset UpdatedAt);

/// <summary>An installed module with its recorded definition and guests.</summary>
public sealed record ModuleDetailV1(string Name, int Revision, string Status, DateTimeOffset UpdatedAt, System.Text.Json.Nodes.JsonNode? Definition, IReadOnlyList<GuestV1> Guests);

/// <summary>A guest of the embedded platform.</summary>
public sealed record GuestV1(string Guest, string Status, bool Ready, string Isolation, string Address, int Restarts, string? Reason);

/// <summary>One applied revision of a module.</summary>
public sealed record RevisionV1(int Revision, string Reason, DateTimeOffset AppliedAt);

/// <summary>Something that happened, with its cause.</summary>
public sealed record EventV1(long Id, string Module, string Kind, string Message, DateTimeOffset At);

/// <summary>The result of a backup, verify or restore.</summary>
public sealed record BackupResultV1(string Module, bool Succeeded, string Message, string? Snapshot, double Seconds);

/// <summary>A request for a new API token.</summary>
public sealed record TokenRequestV1(string Name, string Role);

/// <summary>A new API token: its secret is shown this once.</summary>
public sealed record TokenCreatedV1(string Name, string Role, string Token);

/// <summary>A problem found in a definition or a run.</summary>
public sealed record DiagnosticV1(string Severity, string Code, string Message, string Hint, string? File, int? Line);

/// <summary>How an install, update, delete or apply ended.</summary>
public sealed record ApplyResultV1(string Status, long? RunId, IReadOnlyList<DiagnosticV1> Diagnostics);

/// <summary>Which modules to plan or apply (names in the site's repositories, folders or module files).</summary>
public sealed record PlanRequestV1(IReadOnlyList<string> Modules);

/// <summary>A saved plan to apply: valid only while the site is still at <see cref="StateRevision"/>.</summary>
public sealed record ApplyRequestV1(IReadOnlyList<string> Modules, long StateRevision);

/// <summary>A plan: the changes, made from one state revision.</summary>
public sealed record PlanV1(long StateRevision, IReadOnlyList<PlannedChangeV1> Changes);

/// <summary>One planned change with its reasons.</summary>
public sealed record PlannedChangeV1(string Address, string Action, IReadOnlyList<string> Reasons);

/// <summary>How many replicas of a module's workload should run.</summary>
public sealed record ScaleRequestV1(int Replicas);

/// <summary>The whole site at a glance: modules, recent runs, the lock and every guest.</summary>
public sealed record SiteStatusV1(string Site, long StateRevision, IReadOnlyList<ModuleV1> Modules, IReadOnlyList<RunV1> Runs, string? Locked, IReadOnlyList<GuestStatusV1> Guests);

/// <summary>A journalled run (install, update, delete, scale, ...).</summary>
public sealed record RunV1(long Id, string Command, string Status, DateTimeOffset StartedAt);

/// <summary>A guest as its supervisor last reported it.</summary>
public sealed record GuestStatusV1(
    string Guest, string Module, string Status, bool Ready, string? Reason, bool Supervised, string Isolation, string Address, string? Cgroup,
    int? MemoryMiB, double? Cores, int Restarts, int? WorkloadPid, long? DiskBytes, long? DiskLimitBytes, bool DiskOver);

/// <summary>A step of the running run, as the journal records it (phase: before, after, failed, undo, ...).</summary>
public sealed record ProgressV1(long RunId, string Command, int Step, string Address, string Phase, string Detail, DateTimeOffset At);

/// <summary>Lines a module's guests printed, each prefixed with the guest's name; <see cref="Next"/> continues after them.</summary>
public sealed record LogsV1(string Module, IReadOnlyList<string> Lines, IReadOnlyDictionary<string, long> Next);

/// <summary>A network zone of the site (zones.json).</summary>
public sealed record ZoneV1(string Name, string Type, string State, int? Vlan, string? Ip, IReadOnlyList<string> AccessTo);

/// <summary>A host that runs guests.</summary>
public sealed record NodeV1(string Name, int Cpus, long MemoryMiB, long MemoryAvailableMiB, double Load1, int Guests);

/// <summary>Which revision to return to (default: the previous one).</summary>
public sealed record RollbackRequestV1(int? Revision);

/// <summary>Modules to install in one run, in dependency order (names in the site's repositories, folders or module files on the daemon's host).</summary>
public sealed record InstallRequestV1(IReadOnlyList<string> Modules, bool Force = false);

/// <summary>A backup of a module's disk.</summary>
public sealed record BackupV1(string Id, string Module, DateTimeOffset Time);
