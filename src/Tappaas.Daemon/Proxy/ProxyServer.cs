using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Tappaas.Composition;
using Tappaas.Model.Loading;
using Yarp.ReverseProxy.Forwarder;

namespace Tappaas.Daemon.Proxy;

/// <summary>
/// The reverse proxy of the embedded platform, on its own listeners: HTTPS with a certificate from the site CA for each
/// requested name (SNI), plain HTTP redirected to HTTPS. Routes follow the site (checked twice a second, so a guest that
/// stops being ready or is drained leaves the rotation at once; in-flight requests finish); the route is found by the
/// request's host in a map, a client whose zone is not in its <c>proxyAllowedZones</c> gets 403, and the rest is
/// <see cref="GuestForwarder"/> (YARP's forwarder, round robin, retries on another guest, passive health) — no routing
/// table or per-request pipeline beyond that, since this is the path every request pays for.
/// </summary>
internal sealed class ProxyServer(SiteSession site, SiteCertificateAuthority ca, DaemonOptions options, ProxyStats stats, TimeProvider time, ILogger<ProxyServer> log) : IHostedService
{
    private readonly Lock _refreshing = new();
    private WebApplication? _app;
    private CancellationTokenSource? _refresh;
    private Task _loop = Task.CompletedTask;

    private IReadOnlyList<(string Zone, IPNetwork Network)> _subnets = []; // read with the routes, not per request

    public IReadOnlyList<ProxyRoute> Routes { get; private set; } = [];

    private Dictionary<string, Upstream> _byHost = new(StringComparer.OrdinalIgnoreCase);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.ProxyHttps is null)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Hosting's request log is off: while it is on (even for critical only) every request also gets an activity and a
        // logging scope. Unhandled failures still reach the log from Kestrel.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        // A guest's failure is logged once, in one line, by GuestForwarder (which knows whether it was retried), not with
        // the forwarder's stack trace.
        builder.Logging.AddFilter("Yarp.ReverseProxy.Forwarder.HttpForwarder", LogLevel.Error);
        // Fewer context switches and system calls per request, which is most of a proxy's cost on a small host: the proxy's
        // own steps never block (lookups in maps the refresh loop replaces whole, lock-free counters), so a request is
        // handled on the thread that read it from the socket instead of hopping to the thread pool; and a connection
        // reads into its buffer at once instead of first waiting for data with an empty read (a pooled 4 KiB buffer per
        // idle keep-alive connection). The API keeps Kestrel's defaults. With tappaasd's inline socket completions (see
        // InlineSocketCompletions) the read and the request are handled on the polling thread itself.
        builder.WebHost.UseSockets(o =>
        {
            o.UnsafePreferInlineScheduling = true;
            o.WaitForDataBeforeAllocatingBuffer = false;
        });
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(Endpoint(options.ProxyHttps), l => l.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificateSelector = (_, name) => ca.ServerCertificate(string.IsNullOrEmpty(name) ? "localhost" : name),
            }));
            if (options.ProxyHttp is { } http)
            {
                k.Listen(Endpoint(http));
            }
        });
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton<IForwarderHttpClientFactory, UpstreamClientFactory>();
        builder.Services.AddSingleton(stats);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton<GuestForwarder>();
        _app = builder.Build();
        var guests = _app.Services.GetRequiredService<GuestForwarder>();
        var httpsPort = Endpoint(options.ProxyHttps).Port;
        _app.Run(async context =>
        {
            if (!context.Request.IsHttps)
            {
                var target = $"https://{context.Request.Host.Host}{(httpsPort == 443 ? "" : ":" + httpsPort)}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
                context.Response.Redirect(target, permanent: true, preserveMethod: true);
                return;
            }

            if (!_byHost.TryGetValue(context.Request.Host.Host, out var upstream))
            {
                await Results.Problem(statusCode: 404, title: "no such site", detail: $"no module is published as {context.Request.Host.Host}").ExecuteAsync(context);
                return;
            }

            var route = upstream.Route;
            var zone = ProxyRoutes.ZoneOf(context.Connection.RemoteIpAddress ?? IPAddress.None, _subnets);
            if (!route.AllowedZones.Contains(zone))
            {
                await Results.Problem(statusCode: 403, title: "not from this zone",
                    detail: $"{route.Host} is open to {string.Join(", ", route.AllowedZones)}; this client is in {zone}").ExecuteAsync(context);
                return;
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            if (route.Destinations.Count == 0)
            {
                await Results.Problem(statusCode: 503, title: "no ready guest", detail: $"{route.Module} has no guest ready to serve").ExecuteAsync(context);
            }
            else
            {
                await guests.ForwardAsync(context, upstream);
            }

            stats.Record(route.Module, context.Response.StatusCode, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        });
        var stamp = ProxyRoutes.Stamp(site.Providers.Embedded.SiteFolder);
        Refresh();
        await _app.StartAsync(cancellationToken);
        // Guests reach the proxy on their zone gateway: open its ports in the site firewall's input chain.
        await site.Providers.Embedded.Network.SetHostPortsAsync(
            [httpsPort, .. options.ProxyHttp is { } h ? [Endpoint(h).Port] : Array.Empty<int>()], cancellationToken);
        _refresh = new CancellationTokenSource();
        _loop = Task.Run(async () =>
        {
            for (var tick = 1; !_refresh.IsCancellationRequested; tick++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), _refresh.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                try
                {
                    // Rebuilt when the site's files moved, and every 10 s regardless (a change within one timestamp tick).
                    var now = ProxyRoutes.Stamp(site.Providers.Embedded.SiteFolder);
                    if (now == stamp && tick % 20 != 0)
                    {
                        continue;
                    }

                    Refresh();
                    stamp = now; // after the refresh: one that failed is tried again on the next tick
                }
                catch (Exception ex) when (ex is IOException or InvalidOperationException)
                {
                    log.LogWarning("proxy routes not refreshed: {Message}", ex.Message);
                }
            }
        }, CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_refresh is not null)
        {
            await _refresh.CancelAsync();
            await _loop;
        }

        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
            await _app.DisposeAsync();
        }
    }

    /// <summary>
    /// Reads the routes now (a no-op without the proxy). The API calls it when a run that changes the site returns, so a
    /// run never reports done while the proxy still routes to the guests it replaced or misses the ones it made ready.
    /// </summary>
    public void Sync()
    {
        if (_app is not null)
        {
            Refresh();
        }
    }

    private void Refresh()
    {
        lock (_refreshing) // the loop and Sync: one reads and replaces the routes at a time, the later one last
        {
            RefreshLocked();
        }
    }

    private void RefreshLocked()
    {
        _subnets = ProxyRoutes.Subnets(SiteFiles.Read(site.Layout.ConfigDir).Zones);
        var routes = ProxyRoutes.Build(site.Providers.Embedded);
        if (routes.SequenceEqual(Routes, RouteComparer.Instance))
        {
            return;
        }

        Routes = routes;
        _byHost = routes.GroupBy(r => r.Host, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => new Upstream(g.First()), StringComparer.OrdinalIgnoreCase);
    }

    private static IPEndPoint Endpoint(string url)
    {
        var uri = new Uri(url);
        return new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port);
    }

    private sealed class RouteComparer : IEqualityComparer<ProxyRoute>
    {
        public static RouteComparer Instance { get; } = new();

        public bool Equals(ProxyRoute? x, ProxyRoute? y) =>
            x is not null && y is not null && x with { Destinations = [], AllowedZones = [] } == y with { Destinations = [], AllowedZones = [] }
            && x.Destinations.SequenceEqual(y.Destinations) && x.AllowedZones.SequenceEqual(y.AllowedZones);

        public int GetHashCode(ProxyRoute obj) => obj.Host.GetHashCode(StringComparison.Ordinal);
    }
}
