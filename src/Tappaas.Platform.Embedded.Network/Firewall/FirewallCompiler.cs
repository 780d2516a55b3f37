using System.Globalization;
using Tappaas.Model.Json;
using Tappaas.Model.Zones;


namespace Tappaas.Platform.Embedded.Network.Firewall;

/// <summary>
/// Compiles zones.json and the installed modules into the site's firewall: the zones' <c>access-to</c> baseline
/// (whole subnet to whole subnet, <c>internet</c> through masquerade; a zone's own guests reach each other), each module's <c>ingress</c> and <c>egress</c>,
/// and the automatic pinholes of the services it consumes (a provider's <c>pinhole.json</c>, opened when the consumer's
/// zone is in the provider zone's <c>pinhole-allowed-from</c>). Module rules are compiled for modules that depend on
/// <c>firewall:rules</c>. Pure: the same input gives the same policy.
/// </summary>
public static class FirewallCompiler
{
    public static FirewallPolicy Compile(FirewallInput input)
    {
        var zoneRules = new List<FilterRule>();
        var masquerades = new List<Masquerade>();
        var zones = input.Zones.Zones.Where(z => z.State?.IsDeployable() != false && Cidr(z) is not null).OrderBy(z => z.Name, StringComparer.Ordinal).ToList();
        foreach (var zone in zones)
        {
            var own = new Peer.Addresses([Cidr(zone)!]);
            // Guests of one zone share its network (upstream: one VLAN, switched, not routed), so they reach each other.
            zoneRules.Add(new FilterRule($"Zone {zone.Name} internal", own, own, null));
            foreach (var target in zone.AccessTo.Distinct())
            {
                if (target is "internet" or "all")
                {
                    zoneRules.Add(new FilterRule($"Zone {zone.Name} -> {target}", own, target == "all" ? new Peer.Any() : new Peer.Internet(), null));
                    masquerades.Add(new Masquerade(zone.Name, Cidr(zone)!));
                }
                else if (input.Zones.Find(target) is { } other && other.State?.IsDeployable() != false && Cidr(other) is { } cidr)
                {
                    zoneRules.Add(new FilterRule($"Zone {zone.Name} -> {target}", own, new Peer.Addresses([cidr]), null));
                }
            }
        }

        var issues = new List<FirewallIssue>();
        var moduleRules = new List<FilterRule>();
        var forwards = new List<PortForward>();
        var byName = input.Modules.ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var module in input.Modules.Where(m => m.DependsOnService("firewall:rules")).OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            new ModuleCompiler(input, byName, module, issues, moduleRules, forwards).Run();
        }

        return new FirewallPolicy(zoneRules, moduleRules, masquerades, forwards, issues);
    }

    internal static string? Cidr(ZoneDefinition zone) =>
        zone.Ip is { } ip && System.Net.IPNetwork.TryParse(ip, out var net) && net.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? ip : null;

    /// <summary>The protocols of a declaration: TCP by default, <c>TCP/UDP</c> for both.</summary>
    internal static IReadOnlyList<string>? Protocols(JNode? node)
    {
        var text = (Lenient.Text(node) ?? "TCP").ToUpperInvariant();
        return text switch
        {
            "TCP" => ["tcp"],
            "UDP" => ["udp"],
            "TCP/UDP" or "TCPUDP" or "BOTH" => ["tcp", "udp"],
            _ => null,
        };
    }

    /// <summary>A port or <c>a:b</c> range as (first, last), or null.</summary>
    internal static (int First, int Last)? Range(JNode? node)
    {
        var text = node?.ScalarText;
        if (text is null)
        {
            return null;
        }

        var parts = text.Split(':', '-');
        if (parts.Length is < 1 or > 2 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 65535))
        {
            return null;
        }

        var first = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var last = int.Parse(parts[^1], CultureInfo.InvariantCulture);
        return first <= last ? (first, last) : null;
    }

    internal static string Render((int First, int Last) r) => r.First == r.Last ? r.First.ToString(CultureInfo.InvariantCulture) : $"{r.First}-{r.Last}";
}
