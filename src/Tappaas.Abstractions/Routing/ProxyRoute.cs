using System.Net;

namespace Tappaas.Abstractions.Routing;

/// <summary>One proxied module: its public name, the guests serving behind it, who may reach it and how to talk to it.</summary>
public sealed record ProxyRoute(string Module, string Host, IReadOnlyList<ProxyDestination> Destinations, IReadOnlyList<string> AllowedZones,
    bool UpstreamTls, bool Http1, bool PreserveHost);

/// <summary>A guest behind a route.</summary>
public sealed record ProxyDestination(string Guest, Uri Address);

/// <summary>The site's routes at one moment, the zones' subnets (to tell which zone a client is in) and a version that moves with every change.</summary>
public sealed record RouteTable(IReadOnlyList<ProxyRoute> Routes, IReadOnlyList<(string Zone, IPNetwork Network)> Subnets, long Version)
{
    public static RouteTable Empty { get; } = new([], [], 0);

    /// <summary>The zone a client address belongs to: its zone's subnet; the host itself counts as mgmt; anything else is internet.</summary>
    public string ZoneOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var (zone, network) in Subnets)
        {
            if (network.Contains(address))
            {
                return zone;
            }
        }

        return IPAddress.IsLoopback(address) ? "mgmt" : "internet";
    }

    /// <summary>True when the two tables route the same (their versions aside).</summary>
    public bool SameAs(RouteTable other) =>
        Routes.Count == other.Routes.Count && Subnets.SequenceEqual(other.Subnets)
        && Routes.Zip(other.Routes).All(p => p.First with { Destinations = [], AllowedZones = [] } == p.Second with { Destinations = [], AllowedZones = [] }
            && p.First.Destinations.SequenceEqual(p.Second.Destinations) && p.First.AllowedZones.SequenceEqual(p.Second.AllowedZones));
}
