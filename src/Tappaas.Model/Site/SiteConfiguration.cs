namespace Tappaas.Model.Site;

/// <summary>A site's <c>configuration.json</c> (upstream shape), as authored.</summary>
public sealed record SiteConfiguration
{
    /// <summary>The file as the user named it.</summary>
    public required string File { get; init; }

    /// <summary>Platform version the site was created with.</summary>
    public string? Version { get; init; }

    /// <summary>The site's primary domain.</summary>
    public string? Domain { get; init; }

    /// <summary>The administrator's e-mail.</summary>
    public string? Email { get; init; }

    /// <summary>Nodes in order; the first is the default node.</summary>
    public IReadOnlyList<SiteNode> Nodes { get; init; } = [];

    /// <summary>How many pre-update snapshots to keep per module (default 5).</summary>
    public int SnapshotRetention { get; init; } = 5;

    /// <summary>Whether nodes may be rebooted automatically (default true).</summary>
    public bool AutomaticReboot { get; init; } = true;

    /// <summary>
    /// Which backend implements a service (our addition under <c>tappaas.backends</c>): keys are <c>module:service</c>,
    /// <c>module:*</c> or <c>*</c>; values are backend names such as <c>hooks</c> (the providing module's scripts, the
    /// default) or <c>fake</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Backends { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Our addition under <c>tappaas.embedded.instance</c>: a short tag that keeps the host objects of this site (bridges,
    /// nftables table, DNS server) apart from another site's on the same host. Absent for the usual one site per host.
    /// </summary>
    public string? EmbeddedInstance { get; init; }

    /// <summary>The module repositories (<c>tappaas.repositories</c>), in order: where names given to install are looked up.</summary>
    public IReadOnlyList<RepositorySetting> Repositories { get; init; } = [];

    /// <summary>
    /// Our addition <c>tappaas.registries</c>, as containers' registries.conf names them: the OCI registries that are
    /// reached without TLS (<c>insecure</c>, e.g. one on loopback or in a lab). Every other registry is TLS with the host's trust store.
    /// </summary>
    public IReadOnlyList<RegistrySetting> Registries { get; init; } = [];

    /// <summary>Our addition <c>tappaas.backup</c>: where backups go and the defaults of modules that say nothing.</summary>
    public SiteBackupSettings Backup { get; init; } = new();

    /// <summary>Our addition <c>tappaas.proxmox</c>: the cluster platform's API (the token secret is never here).</summary>
    public ProxmoxSettings Proxmox { get; init; } = new();

    /// <summary>Our addition <c>tappaas.state</c>: where the state store is (SQLite in the site by default, or PostgreSQL).</summary>
    public StateSettings State { get; init; } = new();

    /// <summary>The backend for a service: exact match, then <c>module:*</c>, then <c>*</c>, else <c>hooks</c>.</summary>
    public string BackendFor(string module, string service) =>
        Backends.GetValueOrDefault($"{module}:{service}") ?? Backends.GetValueOrDefault($"{module}:*") ?? Backends.GetValueOrDefault("*") ?? "hooks";

    /// <summary>The node modules without <c>node</c> run on.</summary>
    public string? DefaultNode => Nodes.Count > 0 ? Nodes[0].Hostname : null;
}

/// <summary>One entry of <c>tappaas.repositories</c>.</summary>
/// <param name="Name">Its name, if it has one.</param>
/// <param name="Path">The folder it is checked out in.</param>
/// <param name="Url">Where it comes from (upstream writes it without https://).</param>
public sealed record RepositorySetting(string? Name, string Path, string? Url);

/// <summary>One entry of <c>tappaas.registries</c>.</summary>
/// <param name="Location">The registry's host and port, e.g. <c>127.0.0.1:5000</c>.</param>
/// <param name="Insecure">Reached over plain HTTP (or TLS without verification).</param>
public sealed record RegistrySetting(string Location, bool Insecure);

/// <summary><c>tappaas.backup</c> of configuration.json; every part optional.</summary>
public sealed record SiteBackupSettings
{
    /// <summary>The restic repository (a path or a rest:/s3:/sftp: URL); default the site's own <c>backups/repository</c>.</summary>
    public string? Repository { get; init; }

    /// <summary>A second repository every backup is copied to.</summary>
    public string? Offsite { get; init; }

    /// <summary>The default backup schedule (cron).</summary>
    public string? Schedule { get; init; }

    /// <summary>The default restore-verification schedule (cron, or none).</summary>
    public string? VerifySchedule { get; init; }

    /// <summary>The default retention (<c>{keepLast, keepDaily, …}</c>), as written.</summary>
    public Json.JNode? Retention { get; init; }
}

/// <summary><c>tappaas.proxmox</c> of configuration.json.</summary>
public sealed record ProxmoxSettings
{
    /// <summary>The API's address, e.g. https://tappaas1.mgmt.internal:8006.</summary>
    public string? Url { get; init; }

    /// <summary>The API token's id, USER@REALM!TOKENID.</summary>
    public string? TokenId { get; init; }

    /// <summary>The SHA-256 fingerprint of the API's certificate, when it is pinned.</summary>
    public string? Fingerprint { get; init; }
}

/// <summary><c>tappaas.state</c> of configuration.json.</summary>
public sealed record StateSettings
{
    /// <summary>The store kinds there are.</summary>
    public static IReadOnlyList<string> Stores { get; } = ["sqlite", "postgresql"];

    /// <summary><c>sqlite</c> (the site's state.db, the default) or <c>postgresql</c>.</summary>
    public string Store { get; init; } = "sqlite";

    /// <summary>For PostgreSQL: the site secret that holds the connection string (never the string itself in configuration.json).</summary>
    public string? ConnectionSecret { get; init; }
}
