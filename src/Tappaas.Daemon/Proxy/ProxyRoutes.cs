using System.Net;
using Tappaas.Model.Loading;
using Tappaas.Model.Zones;
using Tappaas.Platform.Embedded;
using Tappaas.Platform.Embedded.Dns;

namespace Tappaas.Daemon.Proxy;

/// <summary>One proxied module: its public name, the ready guests behind it, who may reach it and how to talk to it.</summary>
public sealed record ProxyRoute(string Module, string Host, IReadOnlyList<ProxyDestination> Destinations, IReadOnlyList<string> AllowedZones, bool UpstreamTls, bool Http1, bool PreserveHost);

/// <summary>A ready guest behind a route.</summary>
public sealed record ProxyDestination(string Guest, Uri Address);

/// <summary>
/// The routes of the site: one per installed module that depends on <c>firewall:proxy</c>, host = <c>proxyDomain</c>
/// (else <c>&lt;vmname&gt;.&lt;site domain&gt;</c>), upstream = its ready guests on <c>proxyPort</c> (on loopback guests, the
/// local port that workload port was given), access = <c>proxyAllowedZones</c> (default: the active Service zones,
/// home, work and mgmt, as upstream).
/// </summary>
public static class ProxyRoutes
{
    public static IReadOnlyList<ProxyRoute> Build(EmbeddedPlatform platform)
    {
        var (site, zones, _) = SiteFiles.Read(Path.Combine(platform.SiteFolder, "config"));
        var routes = new List<ProxyRoute>();
        foreach (var module in platform.Network.Installed().Where(m => m.DependsOnService("firewall:proxy")))
        {
            if (DnsRecords.ProxyDomain(module, site?.Domain) is not { } host)
            {
                continue;
            }

            var port = (int)(module.Integer("proxyPort") ?? 80);
            var tls = module.Boolean("proxyUpstreamTls") == true;
            var destinations = new List<ProxyDestination>();
            foreach (var guest in platform.Runtime.GuestsOf(module.Name))
            {
                if (platform.Runtime.State(guest) is not { Status: "running", Ready: true } || platform.Runtime.Spec(guest) is not { } spec || platform.Runtime.Draining(guest))
                {
                    continue; // not ready, or retiring: out of the rotation at once
                }

                // Loopback guests listen on the port their workload port was mapped to; isolated guests on the declared one.
                var workloadPort = Platform.Embedded.Workloads.WorkloadSpec.From(module)?.Ports.FirstOrDefault(p => p.Value == port).Key;
                var actual = spec.Isolation == "none" && workloadPort is not null && spec.Ports.TryGetValue(workloadPort, out var mapped) ? mapped : port;
                destinations.Add(new ProxyDestination(guest, new Uri($"{(tls ? "https" : "http")}://{spec.Address}:{actual}/")));
            }

            var allowed = module.Strings("proxyAllowedZones");
            routes.Add(new ProxyRoute(module.Name, host, destinations, allowed.Count > 0 ? allowed : DefaultZones(zones), tls,
                module.Boolean("proxyUpstreamHttp1") == true, module.Boolean("proxyPreserveHost") == true));
        }

        return routes;
    }

    /// <summary>
    /// A stamp of everything <see cref="Build"/> reads: the site's config files and each guest's spec, state and draining
    /// marker (name, size, last write). Equal stamps mean the routes cannot have changed, so they are rebuilt only when
    /// it moves: a few file status calls instead of parsing every module and guest twice a second.
    /// </summary>
    public static int Stamp(string siteFolder)
    {
        var hash = new HashCode();
        void Add(FileSystemInfo file)
        {
            hash.Add(file.Name, StringComparer.Ordinal);
            if (file.Exists)
            {
                hash.Add(file.LastWriteTimeUtc.Ticks);
                hash.Add(file is FileInfo f ? f.Length : 0);
            }
        }

        var config = new DirectoryInfo(Path.Combine(siteFolder, "config"));
        foreach (var file in config.Exists ? config.EnumerateFiles("*.json").OrderBy(f => f.Name, StringComparer.Ordinal) : Enumerable.Empty<FileInfo>())
        {
            Add(file);
        }

        var guests = new DirectoryInfo(Path.Combine(siteFolder, "guests"));
        foreach (var guest in guests.Exists ? guests.EnumerateDirectories().OrderBy(d => d.Name, StringComparer.Ordinal) : Enumerable.Empty<DirectoryInfo>())
        {
            hash.Add(guest.Name, StringComparer.Ordinal);
            foreach (var name in (string[])["spec.json", "state.json", "draining"])
            {
                var file = new FileInfo(Path.Combine(guest.FullName, name));
                hash.Add(file.Exists);
                Add(file);
            }
        }

        return hash.ToHashCode();
    }

    /// <summary>Upstream's default audience: every active Service zone, home, work and mgmt.</summary>
    public static IReadOnlyList<string> DefaultZones(ZoneSet? zones) =>
        [.. (zones?.Zones ?? []).Where(z => z.Type == "Service" && z.State?.IsActive() == true).Select(z => z.Name).Concat(["home", "work", "mgmt"]).Distinct()];

    /// <summary>The zones' subnets, parsed once for <see cref="ZoneOf"/>.</summary>
    public static IReadOnlyList<(string Zone, IPNetwork Network)> Subnets(ZoneSet? zones) =>
        [.. (zones?.Zones ?? []).Where(z => z.Ip is not null && IPNetwork.TryParse(z.Ip, out _)).Select(z => (z.Name, IPNetwork.Parse(z.Ip!)))];

    /// <summary>The zone a client address belongs to: its zone's subnet; the host itself counts as mgmt; anything else is internet.</summary>
    public static string ZoneOf(IPAddress address, IReadOnlyList<(string Zone, IPNetwork Network)> subnets)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var (zone, network) in subnets)
        {
            if (network.Contains(address))
            {
                return zone;
            }
        }

        return IPAddress.IsLoopback(address) ? "mgmt" : "internet";
    }
}
