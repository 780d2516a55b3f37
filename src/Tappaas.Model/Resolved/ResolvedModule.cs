using Tappaas.Model.Json;
using Tappaas.Model.Modules;

namespace Tappaas.Model.Resolved;

/// <summary>
/// A module with every default and limit applied, built once by <see cref="ModuleResolver"/> from its definition (as
/// authored) and the site: what providers, the proxy, the autoscaler and the engine read instead of the raw JSON.
/// </summary>
public sealed record ResolvedModule
{
    /// <summary>The module as authored (for what only a provider of its own kind reads, and for diagnostics' locations).</summary>
    public required ModuleDefinition Definition { get; init; }

    public string Name => Definition.Name;

    /// <summary>Guest name, hostname and DNS label (the file name when <c>vmname</c> is absent).</summary>
    public required string VmName { get; init; }

    public long? VmId { get; init; }

    /// <summary>The zone of the first interface (default mgmt).</summary>
    public required string Zone0 { get; init; }

    public string? Zone1 { get; init; }

    /// <summary>The node that runs the guest: the module's, else the site's first.</summary>
    public string? Node { get; init; }

    /// <summary>A fixed address in the zone, when the module has one.</summary>
    public string? Ip { get; init; }

    public int Cores { get; init; }

    public long MemoryMiB { get; init; }

    /// <summary>diskSize as written (default 8G) and in bytes.</summary>
    public string DiskSize { get; init; } = "8G";

    public long? DiskBytes { get; init; }

    /// <summary>The folder it was installed from (its scripts, its release).</summary>
    public string? Location { get; init; }

    public string? Variant { get; init; }

    public bool Archived { get; init; }

    public IReadOnlyList<ServiceRef> DependsOn => Definition.DependsOn;

    public IReadOnlyList<string> Provides => Definition.Provides;

    /// <summary>How the site's reverse proxy publishes it; null unless it depends on <c>firewall:proxy</c>.</summary>
    public ResolvedProxy? Proxy { get; init; }

    /// <summary>Its backup schedule, retention and verification, as the module says (site defaults apply later).</summary>
    public ResolvedBackup Backup { get; init; } = new(null, null, null, []);

    /// <summary>imageType as written (default clone): on the embedded platform <c>oci</c> runs <see cref="Image"/>, anything else a host command.</summary>
    public string ImageType { get; init; } = "clone";

    /// <summary>The OCI image reference, normalised; null unless imageType is <c>oci</c> (and the reference is valid).</summary>
    public Images.ImageReference? Image { get; init; }

    /// <summary>What runs in its guests on the embedded platform; null without a workload block.</summary>
    public ResolvedWorkload? Workload { get; init; }

    public bool DependsOnService(string reference) => Definition.DependsOnService(reference);
}

/// <summary>How a module is published by the site's reverse proxy.</summary>
/// <param name="Host">The public name: <c>proxyDomain</c>, else <c>&lt;vmname&gt;.&lt;site domain&gt;</c>; null when neither is known.</param>
/// <param name="Port">proxyPort (default 80): where on the guest the proxy forwards to.</param>
/// <param name="AllowedZones">proxyAllowedZones; null for the default audience (the active Service zones, home, work, mgmt).</param>
/// <param name="UpstreamTls">The guest speaks HTTPS.</param>
/// <param name="Http1">Force HTTP/1.1 to the guest.</param>
/// <param name="PreserveHost">Send the public Host header to the guest.</param>
/// <param name="WorkloadPort">The name of the workload port the proxy forwards to (the one numbered <paramref name="Port"/>); null without a workload, or when none is.</param>
/// <param name="PortProblem">Why the proxy cannot forward: the workload listens on other ports. Null when it can.</param>
public sealed record ResolvedProxy(string? Host, int Port, IReadOnlyList<string>? AllowedZones, bool UpstreamTls, bool Http1, bool PreserveHost,
    string? WorkloadPort, string? PortProblem);

/// <summary>A module's own backup settings (each null or empty when it leaves them to the site).</summary>
/// <param name="Schedule">backupSchedule (cron).</param>
/// <param name="Retention">backupRetention, as written.</param>
/// <param name="VerifySchedule">verifySchedule (cron or none).</param>
/// <param name="AlwaysBackup">alwaysBackup: modules the backup module backs up whatever they depend on.</param>
public sealed record ResolvedBackup(string? Schedule, JNode? Retention, string? VerifySchedule, IReadOnlyList<string> AlwaysBackup);
