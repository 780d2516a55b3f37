
namespace Tappaas.Platform.Embedded.Network.Firewall;

/// <summary>One side of a rule, resolved to addresses.</summary>
public abstract record Peer
{
    /// <summary>Hosts or networks (IPv4 addresses or CIDRs).</summary>
    public sealed record Addresses(IReadOnlyList<string> List) : Peer;

    /// <summary>Anything outside the site's zones: as a source, traffic arriving on a non-zone interface; as a destination, public addresses.</summary>
    public sealed record Internet : Peer;

    /// <summary>Any address.</summary>
    public sealed record Any : Peer;
}

/// <summary>Ports of one protocol: single ports and <c>a-b</c> ranges.</summary>
public sealed record PortMatch(string Protocol, IReadOnlyList<string> Ports);

/// <summary>A pass rule of the forward chain; the comment is its stable identity.</summary>
public sealed record FilterRule(string Comment, Peer Source, Peer Destination, PortMatch? Ports);

/// <summary>Internet-bound traffic of a zone leaves with the host's address.</summary>
public sealed record Masquerade(string Zone, string Cidr);

/// <summary>Traffic to a host port from outside the zones is sent to a guest (an ingress from <c>internet</c>).</summary>
public sealed record PortForward(string Comment, string Protocol, string Port, string Address);

/// <summary>A problem with a module's firewall declarations, at its JSON path.</summary>
public sealed record FirewallIssue(string Module, string Path, string Message, string Hint, bool IsError)
{
    public override string ToString() => $"{(IsError ? "error" : "warning")}: {Module} {Path}: {Message} ({Hint})";
}

/// <summary>The resolved firewall of a site: what the ruleset will contain, independent of how it is written.</summary>
public sealed record FirewallPolicy(
    IReadOnlyList<FilterRule> ZoneRules,
    IReadOnlyList<FilterRule> ModuleRules,
    IReadOnlyList<Masquerade> Masquerades,
    IReadOnlyList<PortForward> Forwards,
    IReadOnlyList<FirewallIssue> Issues)
{
    /// <summary>The issues of one module.</summary>
    public IEnumerable<FirewallIssue> IssuesOf(string module) => Issues.Where(i => i.Module == module);
}
