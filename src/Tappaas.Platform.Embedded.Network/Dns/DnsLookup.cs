using System.Net;
using DnsClient;

namespace Tappaas.Platform.Embedded.Network.Dns;

/// <summary>Asks one DNS server for the IPv4 addresses of a name, through DnsClient.NET (one query, no cache, no retry).</summary>
public static class DnsLookup
{
    /// <summary>The A records of <paramref name="name"/>; empty for NXDOMAIN or no answer; null when the server did not reply in time.</summary>
    public static async Task<IReadOnlyList<IPAddress>?> QueryAsync(IPAddress server, string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var client = new LookupClient(new LookupClientOptions(new NameServer(server, 53))
        {
            Timeout = timeout, Retries = 0, UseCache = false, ThrowDnsErrors = false, UseTcpFallback = false, ContinueOnDnsError = false,
        });
        try
        {
            var response = await client.QueryAsync(name, QueryType.A, QueryClass.IN, cancellationToken);
            return [.. response.Answers.ARecords().Select(a => a.Address)];
        }
        catch (DnsResponseException)
        {
            return null; // no reply in time, or a reply that was not DNS
        }
        finally
        {
            // The caller goes on on the thread pool, not on the socket's completion thread (the daemon may complete sockets
            // inline on their polling threads, where nothing may block).
            await Task.Yield();
        }
    }
}
