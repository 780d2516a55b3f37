using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Tappaas.Client;

/// <summary>HTTP to a daemon over its Unix socket on this host.</summary>
public static class LocalSocket
{
    /// <summary>The base address requests carry over the socket (the host name is only the Host header).</summary>
    public static readonly Uri BaseAddress = new("http://localhost/");

    /// <summary>A handler whose every connection is to <paramref name="path"/>.</summary>
    public static SocketsHttpHandler Handler(string path) => new()
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    /// <summary>Whether this process may connect to the socket at <paramref name="path"/> (it exists and is writable to this user).</summary>
    public static bool MayConnect(string path) => File.Exists(path) && Access(path, WriteOk) == 0;

    private const int WriteOk = 2;

    [DllImport("libc", EntryPoint = "access", SetLastError = true)]
    private static extern int Access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);
}
