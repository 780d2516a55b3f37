using System.Text;


namespace Tappaas.Platform.Embedded.Network.Firewall;

/// <summary>
/// Writes a policy as one nftables script that replaces the site's table in a single transaction (create, delete,
/// define): the kernel sees the old ruleset or the new one, never a mix, and rules left out really disappear.
/// Only traffic entering or leaving the site's zone bridges is judged; the host's other traffic is not touched.
/// </summary>
public static class NftRenderer
{
    private const string PrivateSet = "@private";

    public static string Render(FirewallPolicy policy, string table, string bridgePattern, IReadOnlyList<int> hostPorts)
    {
        var b = new StringBuilder();
        b.Append("table inet ").Append(table).Append(" {}\n");
        b.Append("delete table inet ").Append(table).Append('\n');
        b.Append("table inet ").Append(table).Append(" {\n");
        b.Append("  set private {\n    type ipv4_addr\n    flags interval\n    elements = { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 169.254.0.0/16 }\n  }\n");

        b.Append("  chain forward {\n    type filter hook forward priority filter; policy accept;\n");
        b.Append($"    iifname != \"{bridgePattern}\" oifname != \"{bridgePattern}\" accept\n");
        b.Append("    ct state established,related accept\n    ct state invalid drop\n");
        foreach (var rule in policy.ZoneRules.Concat(policy.ModuleRules))
        {
            b.Append("    ").Append(Rule(rule, bridgePattern)).Append('\n');
        }

        b.Append("    counter drop comment \"tappaas default deny\"\n  }\n");

        // The host itself: guests may ask the gateway for DNS and reach the listed host services (the proxy), nothing else.
        b.Append("  chain input {\n    type filter hook input priority filter; policy accept;\n");
        b.Append($"    iifname \"{bridgePattern}\" ct state established,related accept\n");
        b.Append($"    iifname \"{bridgePattern}\" meta l4proto {{ tcp, udp }} th dport 53 accept comment \"dns on the zone gateway\"\n");
        if (hostPorts.Count > 0)
        {
            b.Append($"    iifname \"{bridgePattern}\" tcp dport {{ {string.Join(", ", hostPorts)} }} accept comment \"host services\"\n");
        }

        b.Append($"    iifname \"{bridgePattern}\" counter drop comment \"tappaas guests to host\"\n  }}\n");

        b.Append("  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n");
        foreach (var f in policy.Forwards)
        {
            b.Append($"    iifname != \"{bridgePattern}\" fib daddr type local {f.Protocol} dport {f.Port} dnat ip to {f.Address} comment {Quote(f.Comment)}\n");
        }

        b.Append("  }\n");
        b.Append("  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n");
        foreach (var m in policy.Masquerades)
        {
            b.Append($"    ip saddr {m.Cidr} oifname != \"{bridgePattern}\" ip daddr != {PrivateSet} masquerade comment {Quote("Zone " + m.Zone + " -> internet")}\n");
        }

        b.Append("  }\n}\n");
        return b.ToString();
    }

    private static string Rule(FilterRule rule, string bridgePattern)
    {
        var parts = new List<string>();
        switch (rule.Source)
        {
            case Peer.Addresses a:
                parts.Add($"ip saddr {Set(a.List)}");
                break;
            case Peer.Internet:
                parts.Add($"iifname != \"{bridgePattern}\"");
                break;
        }

        switch (rule.Destination)
        {
            case Peer.Addresses a:
                parts.Add($"ip daddr {Set(a.List)}");
                break;
            case Peer.Internet:
                parts.Add($"oifname != \"{bridgePattern}\" ip daddr != {PrivateSet}");
                break;
        }

        if (rule.Ports is { } p)
        {
            parts.Add($"{p.Protocol} dport {Set(p.Ports)}");
        }

        parts.Add("accept comment " + Quote(rule.Comment));
        return string.Join(' ', parts);
    }

    private static string Set(IReadOnlyList<string> items) => items.Count == 1 ? items[0] : "{ " + string.Join(", ", items) + " }";

    private static string Quote(string text) => "\"" + text.Replace("\"", "'", StringComparison.Ordinal)[..Math.Min(text.Length, 120)] + "\"";
}
