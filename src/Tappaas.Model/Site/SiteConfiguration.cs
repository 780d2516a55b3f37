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

    /// <summary>The node modules without <c>node</c> run on.</summary>
    public string? DefaultNode => Nodes.Count > 0 ? Nodes[0].Hostname : null;
}
