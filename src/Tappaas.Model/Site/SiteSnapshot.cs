using Tappaas.Model.Diagnostics;
using Tappaas.Model.Loading;
using Tappaas.Model.Zones;

namespace Tappaas.Model.Site;

/// <summary>
/// The site as one run sees it: its configuration.json and zones.json, read once (a run does not see them change under
/// it) with typed sections — backends, repositories, backups, the Proxmox API, the domain — so nothing after the read
/// looks at raw JSON.
/// </summary>
/// <param name="Configuration">configuration.json, or null when it is missing or unreadable.</param>
/// <param name="Zones">zones.json, or null when it is missing or unreadable.</param>
/// <param name="Diagnostics">What was wrong with either.</param>
public sealed record SiteSnapshot(SiteConfiguration? Configuration, ZoneSet? Zones, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>A site with neither file.</summary>
    public static SiteSnapshot Empty { get; } = new(null, null, []);

    /// <summary>Reads the site's config folder (upstream's layout).</summary>
    public static SiteSnapshot Read(string configDir)
    {
        var (site, zones, diagnostics) = SiteFiles.Read(configDir);
        return new SiteSnapshot(site, zones, diagnostics);
    }

    /// <summary>The site's domain (proxied names default to <c>&lt;vmname&gt;.&lt;domain&gt;</c>).</summary>
    public string? Domain => Configuration?.Domain;

    /// <summary>The backend that implements a service (hooks when the site names none).</summary>
    public string BackendFor(string module, string service) => Configuration?.BackendFor(module, service) ?? "hooks";

    /// <summary>The module repositories.</summary>
    public IReadOnlyList<RepositorySetting> Repositories => Configuration?.Repositories ?? [];

    /// <summary>The OCI registries reached without TLS.</summary>
    public IReadOnlyList<RegistrySetting> Registries => Configuration?.Registries ?? [];

    /// <summary>Backup settings and defaults.</summary>
    public SiteBackupSettings Backup => Configuration?.Backup ?? new();

    /// <summary>The Proxmox VE API.</summary>
    public ProxmoxSettings Proxmox => Configuration?.Proxmox ?? new();

    /// <summary>The tag that keeps this site's host objects apart from another site's on the same host.</summary>
    public string? EmbeddedInstance => Configuration?.EmbeddedInstance;

    /// <summary>Pre-update snapshots kept per module.</summary>
    public int SnapshotRetention => Configuration?.SnapshotRetention ?? 5;

    /// <summary>The node modules without <c>node</c> run on.</summary>
    public string? DefaultNode => Configuration?.DefaultNode;
}
