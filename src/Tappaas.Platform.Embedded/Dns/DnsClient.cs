using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tappaas.Platform.Embedded.Dns;

/// <summary>Asks one DNS server for the IPv4 addresses of a name (RFC 1035, one UDP query, no recursion of its own).</summary>
public static class DnsClient
{
    /// <summary>The A records of <paramref name="name"/>; empty for NXDOMAIN or no answer; null when the server did not reply in time.</summary>
    public static async Task<IReadOnlyList<IPAddress>?> QueryAsync(IPAddress server, string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await AskAsync(server, name, timeout, cancellationToken);
        }
        finally
        {
            // The caller goes on on the thread pool, not on the socket's completion thread (the daemon may complete sockets
            // inline on their polling threads, where nothing may block).
            await Task.Yield();
        }
    }

    private static async Task<IReadOnlyList<IPAddress>?> AskAsync(IPAddress server, string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = (ushort)Random.Shared.Next(ushort.MaxValue);
        using var udp = new UdpClient(server.AddressFamily);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await udp.SendAsync(Query(id, name), new IPEndPoint(server, 53), cts.Token);
            while (true)
            {
                var reply = await udp.ReceiveAsync(cts.Token);
                if (reply.Buffer.Length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(reply.Buffer) == id)
                {
                    return Answers(reply.Buffer);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static byte[] Query(ushort id, string name)
    {
        var b = new List<byte>();
        b.AddRange([(byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]); // recursion desired, one question
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            b.Add((byte)bytes.Length);
            b.AddRange(bytes);
        }

        b.AddRange([0, 0, 1, 0, 1]); // end of name, type A, class IN
        return [.. b];
    }

    private static List<IPAddress> Answers(byte[] m)
    {
        var result = new List<IPAddress>();
        var answers = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(6));
        var at = SkipName(m, 12) + 4;
        for (var i = 0; i < answers && at + 10 <= m.Length; i++)
        {
            at = SkipName(m, at);
            var type = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(at));
            var length = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(at + 8));
            if (type == 1 && length == 4 && at + 14 <= m.Length)
            {
                result.Add(new IPAddress(m.AsSpan(at + 10, 4)));
            }

            at += 10 + length;
        }

        return result;
    }

    private static int SkipName(byte[] m, int at)
    {
        while (at < m.Length)
        {
            var len = m[at];
            if (len == 0)
            {
                return at + 1;
            }

            if ((len & 0xC0) == 0xC0)
            {
                return at + 2;
            }

            at += len + 1;
        }

        return at;
    }
}
