using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Tappaas.TestUtilities;

/// <summary>Clients of the site's reverse proxy as a browser that trusts only the site CA would be, and free ports for listeners.</summary>
public static class SiteHttps
{
    /// <summary>
    /// An HTTP client that connects every request to <c>127.0.0.1:port</c> (whatever the name in the URL, which still
    /// goes out as SNI and Host) and accepts only a certificate for that name chained to <paramref name="root"/>.
    /// </summary>
    public static HttpClient Client(int port, X509Certificate2 root, bool followRedirects = true) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = followRedirects,
        ConnectCallback = ConnectTo(port),
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Tappaas.Client.SiteTrust.Validator(root) },
    })
    { Timeout = TimeSpan.FromSeconds(30) }; // a request that hangs fails; one a loaded 2-core test machine answers late does not

    /// <summary>Connects to <c>127.0.0.1:port</c> whatever the request's host.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectTo(int port) => async (_, ct) =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, ct);
        return new NetworkStream(socket, ownsSocket: true);
    };

    /// <summary>A TCP port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
