using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Tappaas.Platform.Embedded.Guests.Health;

/// <summary>
/// The status code a guest answers to <c>GET path</c>, as an HTTP health check asks it (one request on a fresh
/// connection, <c>Connection: close</c>, the status line parsed, what already came of the rest dropped). The
/// supervisor needs nothing else of HTTP, and an
/// HTTP client library would be most of its size and memory.
/// </summary>
internal static class HttpStatus
{
    private const int MaxStatusLine = 1024;

    /// <summary>The status of the answer; an <see cref="IOException"/> when what came back is not HTTP.</summary>
    public static async Task<int> GetAsync(string address, int port, string path, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(address, port, cancellationToken);
        var host = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port}" : $"{address}:{port}";
        var request = Encoding.ASCII.GetBytes($"GET {(path.StartsWith('/') ? path : "/" + path)} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: tappaas-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n");
        await socket.SendAsync(request, SocketFlags.None, cancellationToken);

        var buffer = new byte[MaxStatusLine];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (Array.IndexOf(buffer, (byte)'\n', 0, length) >= 0)
            {
                break;
            }
        }

        var status = Parse(Encoding.ASCII.GetString(buffer, 0, length));
        // What already came of the rest of the answer is read and dropped (without waiting for more): closing with it
        // unread resets the connection, which many servers log as an error at every check.
        for (var drained = 0; drained < MaxDrained && socket.Available > 0; drained += length)
        {
            length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (length == 0)
            {
                break;
            }
        }

        return status;
    }

    private const int MaxDrained = 64 * 1024;

    /// <summary>The code of a status line (<c>HTTP/1.1 200 OK</c>).</summary>
    internal static int Parse(string answer)
    {
        var line = answer.Split('\n', 2)[0].TrimEnd('\r');
        var parts = line.Split(' ', 3);
        return parts.Length >= 2 && parts[0].StartsWith("HTTP/", StringComparison.Ordinal) && parts[1].Length == 3
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            ? code
            : throw new IOException(line.Length == 0 ? "the guest closed the connection without an answer" : $"the guest's answer is not HTTP: {line[..Math.Min(line.Length, 60)]}");
    }
}
