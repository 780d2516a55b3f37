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

    /// <summary>The backend for a service: exact match, then <c>module:*</c>, then <c>*</c>, else <c>hooks</c>.</summary>
    public string BackendFor(string module, string service) =>
        Backends.GetValueOrDefault($"{module}:{service}") ?? Backends.GetValueOrDefault($"{module}:*") ?? Backends.GetValueOrDefault("*") ?? "hooks";

    /// <summary>The node modules without <c>node</c> run on.</summary>
    public string? DefaultNode => Nodes.Count > 0 ? Nodes[0].Hostname : null;
}
