using Tappaas.Model.Modules;
using Tappaas.Model.Resolved;


namespace Tappaas.Platform.Embedded.Network.Dns;

/// <summary>One name and its address in the site's DNS.</summary>
public sealed record DnsRecord(string Name, string Address);

/// <summary>
/// The names the site's DNS serves: every guest as <c>&lt;vmname&gt;.&lt;zone&gt;.internal</c> (all replicas of a module
/// under its vmname, each also as <c>&lt;guest&gt;.&lt;zone&gt;.internal</c>), and each proxied module's domain
/// (<c>proxyDomain</c>, else <c>&lt;vmname&gt;.&lt;site domain&gt;</c>) at every zone gateway — the server answers a client
/// with the gateway of the client's own zone, where the proxy listens.
/// </summary>
public static class DnsRecords
{
    public static IReadOnlyList<DnsRecord> Build(IReadOnlyList<ModuleDefinition> modules, IReadOnlyDictionary<string, IReadOnlyList<(string Guest, string Address)>> guests, string? domain, IEnumerable<string> gateways)
    {
        var records = new List<DnsRecord>();
        var gatewayList = gateways.ToList();
        foreach (var module in modules.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var zone = module.Zone0;
            foreach (var (guest, address) in guests.GetValueOrDefault(module.Name) ?? [])
            {
                records.Add(new DnsRecord($"{module.VmName}.{zone}.internal", address));
                records.Add(new DnsRecord($"{guest}.{zone}.internal", address));
            }

            if (module.DependsOnService("firewall:proxy") && ModuleResolver.ProxyHost(module, domain) is { } proxied)
            {
                records.AddRange(gatewayList.Select(g => new DnsRecord(proxied, g)));
            }
        }

        return records;
    }

    /// <summary>The records as a hosts file (one address per line with its names).</summary>
    public static string HostsFile(IEnumerable<DnsRecord> records) =>
        string.Concat(records.GroupBy(r => r.Address).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {string.Join(' ', g.Select(r => r.Name).Distinct())}\n"));
}
