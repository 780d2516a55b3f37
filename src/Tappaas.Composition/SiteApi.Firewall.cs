using Tappaas.Client;
using Tappaas.Platform.Embedded.Network.Firewall;

namespace Tappaas.Composition;

public sealed partial class SiteApi
{
    /// <summary>
    /// The site firewall as the embedded platform compiles it from the zones and the installed modules: every pass rule
    /// (its comment says why it exists), the port forwards and the problems found in the modules' declarations. Empty
    /// on a composition without the embedded platform (the cluster's firewall is OPNsense's).
    /// </summary>
    public Task<ApiResult<FirewallV1>> FirewallAsync(CancellationToken ct)
    {
        if (Embedded is not { } platform)
        {
            return Task.FromResult(Ok(new FirewallV1([], [], [])));
        }

        var policy = platform.Network.Compile(null, null).Policy;
        return Task.FromResult(Ok(new FirewallV1(
            [.. policy.ZoneRules.Select(r => Rule("zone", r)), .. policy.ModuleRules.Select(r => Rule("module", r))],
            [.. policy.Forwards.Select(f => new PortForwardV1(f.Comment, f.Protocol, f.Port, f.Address))],
            [.. policy.Issues.Select(i => new FirewallIssueV1(i.Module, i.Path, i.Message, i.Hint, i.IsError))])));
    }

    private static FirewallRuleV1 Rule(string kind, FilterRule rule) =>
        new(kind, rule.Comment, Side(rule.Source), Side(rule.Destination), rule.Ports is { } p ? $"{p.Protocol} {string.Join(',', p.Ports)}" : "any");

    private static string Side(Peer peer) => peer switch
    {
        Peer.Addresses a => string.Join(", ", a.List),
        Peer.Internet => "internet",
        _ => "any",
    };
}
