namespace Tappaas.Model.Site;

/// <summary>A node listed in the site configuration.</summary>
/// <param name="Hostname">The node's host name.</param>
/// <param name="DnsHostname">Name used in <c>&lt;name&gt;.mgmt.internal</c>; defaults to the host name.</param>
/// <param name="Ip">The node's management address, or "unknown".</param>
public sealed record SiteNode(string Hostname, string DnsHostname, string? Ip);
