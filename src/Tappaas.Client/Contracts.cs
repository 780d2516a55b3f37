using System.Text.Json;
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
/// <summary>One applied revision of a module; <c>Image</c> is the exact image it runs (registry/name@sha256:…) for an image module.</summary>
public sealed record RevisionV1(int Revision, string Reason, DateTimeOffset AppliedAt, string? Image = null);

/// <summary>Credentials for an OCI registry (the password is sent in the body, never in a URL or a command line).</summary>
public sealed record RegistryLoginV1(string Registry, string Username, string Password);

/// <summary>An image in the site's store: its digest, its size, and the revisions that use it ("web r3").</summary>
public sealed record ImageV1(string Digest, long Bytes, IReadOnlyList<string> References, IReadOnlyList<string> UsedBy);

/// <summary>Something that happened, with its cause.</summary>
public sealed record EventV1(long Id, string Module, string Kind, string Message, DateTimeOffset At);

/// <summary>The result of a backup, verify or restore.</summary>
public sealed record BackupResultV1(string Module, bool Succeeded, string Message, string? Snapshot, double Seconds);

/// <summary>A request for a new API token; <paramref name="ExpiresIn"/> like <c>12h</c> or <c>90d</c> (default: never).</summary>
public sealed record TokenRequestV1(string Name, string Role, string? ExpiresIn = null);

/// <summary>A new API token: its secret is shown this once.</summary>
public sealed record TokenCreatedV1(string Name, string Role, string Token, DateTimeOffset? ExpiresAt = null);

/// <summary>An API token as listed: never its secret, nor its hash.</summary>
public sealed record TokenV1(string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, bool Expired);

/// <summary>A problem found in a definition or a run: where (file, line, column, JSON path), what, and how to fix it.</summary>
public sealed record DiagnosticV1(string Severity, string Code, string Message, string Hint, string? File, int? Line, int? Column = null, string? Path = null);

/// <summary>How an install, update, delete or apply ended.</summary>
public sealed record ApplyResultV1(string Status, long? RunId, IReadOnlyList<DiagnosticV1> Diagnostics);

/// <summary>Which modules to plan: names found in the site's repositories (or installed), and modules sent along in <see cref="Uploads"/>.</summary>
public sealed record PlanRequestV1(IReadOnlyList<string> Modules, IReadOnlyList<ModuleUploadV1>? Uploads = null);

/// <summary>
/// A module sent with a request instead of found in the site's repositories: its folder's files by path relative to the
/// folder (<c>&lt;name&gt;.json</c> among them), each file's content in base64. The daemon keeps it under the site's
/// <c>uploads/&lt;name&gt;/&lt;digest&gt;</c>, out of every guest's reach, and installs it from there.
/// </summary>
public sealed record ModuleUploadV1(string Name, IReadOnlyDictionary<string, string> Files);

/// <summary>A saved plan to apply: its run is applied as planned, and only while the site is still at <see cref="StateRevision"/>.</summary>
public sealed record ApplyRequestV1(long StateRevision, JsonElement Run);

/// <summary>
/// A plan: the changes made from one state revision, the steps that apply them, what the planner warned of (merge
/// conflicts, releases not found, backends that could not be asked), and the run itself — opaque, to hand back to
/// <c>POST /api/v1/apply</c> unchanged.
/// </summary>
public sealed record PlanV1(long StateRevision, IReadOnlyList<PlannedChangeV1> Changes, IReadOnlyList<DiagnosticV1>? Diagnostics = null,
    IReadOnlyList<PlannedStepV1>? Steps = null, JsonElement? Run = null)
{
    /// <summary>True when any change is not a no-op.</summary>
    public bool HasChanges => Changes.Any(c => c.Action != "noop");
}

/// <summary>One planned change with its reasons: a module (<see cref="Service"/> null) or one service it consumes.</summary>
public sealed record PlannedChangeV1(string Address, string Action, IReadOnlyList<string> Reasons, string? Module = null, string? Service = null);

/// <summary>One step of the run that applies a plan, in order.</summary>
public sealed record PlannedStepV1(int Index, string Address, string Reason);

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

/// <summary>The site firewall as compiled: its pass rules, port forwards and the modules' declaration problems.</summary>
public sealed record FirewallV1(IReadOnlyList<FirewallRuleV1> Rules, IReadOnlyList<PortForwardV1> Forwards, IReadOnlyList<FirewallIssueV1> Issues);

/// <summary>A pass rule: from a zone's rules or a module's (<see cref="Kind"/>), why (<see cref="Why"/>, its stable comment), from where to where, which ports.</summary>
public sealed record FirewallRuleV1(string Kind, string Why, string From, string To, string Ports);

/// <summary>Traffic to a host port sent to a guest.</summary>
public sealed record PortForwardV1(string Why, string Protocol, string Port, string Address);

/// <summary>A problem with a module's firewall declarations, at its JSON path.</summary>
public sealed record FirewallIssueV1(string Module, string Path, string Message, string Hint, bool IsError);

/// <summary>A module the site's repositories offer: its version and description, its installed revision (null: not installed), or why its file cannot be read.</summary>
public sealed record CatalogEntryV1(string Name, string? Version, string? Description, int? InstalledRevision, string? Problem);

/// <summary>A revision of a module with the definition that was applied.</summary>
public sealed record RevisionDetailV1(int Revision, string Reason, DateTimeOffset AppliedAt, System.Text.Json.Nodes.JsonNode? Definition);

/// <summary>A host that runs guests.</summary>
public sealed record NodeV1(string Name, int Cpus, long MemoryMiB, long MemoryAvailableMiB, double Load1, int Guests, string Status = "online",
    double? CpuUse = null, IReadOnlyList<StorageV1>? Storage = null);

/// <summary>A node's storage (Proxmox VE): its name, bytes used and bytes in all.</summary>
public sealed record StorageV1(string Name, long UsedBytes, long TotalBytes);

/// <summary>A folder on the daemon's host to import a config folder from or export one to.</summary>
public sealed record FolderRequestV1(string Folder);

/// <summary>What an export wrote.</summary>
public sealed record ExportResultV1(string Folder, int Modules);

/// <summary>Where to move a module's VM (default: its HANode when on its node, else back to its node).</summary>
public sealed record MigrateRequestV1(string? Node = null);

/// <summary>What moving one module's VM did.</summary>
public sealed record MigrationV1(string Module, bool Succeeded, string Message);

/// <summary>A secret's value to store (never returned by the API).</summary>
public sealed record SecretRequestV1(string Value);

/// <summary>Which revision to return to (default: the previous one).</summary>
public sealed record RollbackRequestV1(int? Revision = null);

/// <summary>
/// Modules to install in one run, in dependency order: names found in the site's repositories, and modules sent along in
/// <see cref="Uploads"/> (installed too). Never a path on the daemon's host.
/// </summary>
public sealed record InstallRequestV1(IReadOnlyList<string> Modules, bool Force = false, bool Debug = false, bool Silent = false, IReadOnlyList<ModuleUploadV1>? Uploads = null);

/// <summary>How hook scripts run: verbose (TAPPAAS_DEBUG=1) or quiet (TAPPAAS_SILENT=1).</summary>
public sealed record HookOptionsV1(bool Debug, bool Silent);

/// <summary>How to test a module: deep tests, another guest id or zone than the configured ones, verbose or quiet hooks.</summary>
public sealed record TestRequestV1(bool Deep = false, string? VmId = null, string? Zone0 = null, bool Debug = false, bool Silent = false);

/// <summary>The outcome of a module's tests: <c>ok</c>, <c>failed</c> or <c>fatal</c>, what each test said, and its problems.</summary>
public sealed record TestResultV1(string Module, string Status, string Output, IReadOnlyList<DiagnosticV1> Diagnostics);

/// <summary>A backup of a module's disk.</summary>
public sealed record BackupV1(string Id, string Module, DateTimeOffset Time);

/// <summary>A module's last backup and restore verification (null: never), and how many of each failed.</summary>
public sealed record BackupStatusV1(string Module, BackupOutcomeV1? LastBackup, BackupOutcomeV1? LastVerify, int BackupFailures, int VerifyFailures);

/// <summary>When a backup or verification ran, whether it succeeded, and what it said.</summary>
public sealed record BackupOutcomeV1(bool Succeeded, DateTimeOffset At, string Message, string? Snapshot);
