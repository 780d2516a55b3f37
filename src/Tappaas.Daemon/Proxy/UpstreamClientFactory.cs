using Yarp.ReverseProxy.Forwarder;

namespace Tappaas.Daemon.Proxy;

/// <summary>
/// The proxy's connections to guests: a guest that is gone (its address no longer answers) fails the connect within
/// <see cref="ConnectTimeout"/>, so the request can still be retried on another guest.
/// </summary>
internal sealed class UpstreamClientFactory : ForwarderHttpClientFactory
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = ConnectTimeout;
        handler.ActivityHeadersPropagator = null; // no trace headers the guest did not ask for (and no tracing cost per request)
    }
}
