using Microsoft.Extensions.Primitives;

namespace Tappaas.Abstractions.Routing;

/// <summary>
/// Where the reverse proxy gets its routes (as YARP's <c>IProxyConfig</c>): the current table and a change token that
/// fires when it is replaced, so the proxy is told of a guest that became ready or started draining instead of polling.
/// </summary>
public interface IRouteSource
{
    /// <summary>The routes now.</summary>
    RouteTable Current { get; }

    /// <summary>Fires once when <see cref="Current"/> is replaced; take a new token after it fired.</summary>
    IChangeToken GetChangeToken();

    /// <summary>Reads the site again now (a run that changed it returns only after this).</summary>
    RouteTable Refresh();

    /// <summary>Opens the proxy's listening ports to the guests (they reach the proxy on their zone's gateway).</summary>
    Task OpenIngressAsync(IReadOnlyList<int> ports, CancellationToken cancellationToken);
}
