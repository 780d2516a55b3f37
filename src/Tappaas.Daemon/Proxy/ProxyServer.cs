using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Tappaas.Composition;
using Tappaas.Model.Loading;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Tappaas.Daemon.Proxy;

/// <summary>
/// The reverse proxy (YARP) of the embedded platform, on its own listeners: HTTPS with a certificate from the site CA
/// for each requested name (SNI), plain HTTP redirected to HTTPS. Routes follow the site (checked twice a second, so
/// a guest that stops being ready or is drained leaves the rotation at once; in-flight requests finish); a client whose
/// zone is not in the route's <c>proxyAllowedZones</c> gets 403. A request without a body that fails before any answer
/// (the guest died, refused or reset the connection) is sent to another guest, and the failed one is taken out of the
/// rotation until its checks pass again (passive health).
/// </summary>
internal sealed class ProxyServer(SiteSession site, SiteCertificateAuthority ca, DaemonOptions options, ProxyStats stats, ILogger<ProxyServer> log) : IHostedService
{
    private WebApplication? _app;
    private CancellationTokenSource? _refresh;
    private Task _loop = Task.CompletedTask;

    private IReadOnlyList<(string Zone, IPNetwork Network)> _subnets = []; // read with the routes, not per request

    public IReadOnlyList<ProxyRoute> Routes { get; private set; } = [];

    private Dictionary<string, ProxyRoute> _byHost = new(StringComparer.OrdinalIgnoreCase);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.ProxyHttps is null)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Fewer context switches and system calls per request, which is most of a proxy's cost on a small host: the proxy's
        // own steps never block (lookups in maps the refresh loop replaces whole, lock-free counters), so a request is
        // handled on the thread that read it from the socket instead of hopping to the thread pool; and a connection
        // reads into its buffer at once instead of first waiting for data with an empty read (a pooled 4 KiB buffer per
        // idle keep-alive connection). The API keeps Kestrel's defaults.
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
        var config = new InMemoryConfigProvider([], []);
        builder.Services.AddSingleton<IProxyConfigProvider>(config);
        builder.Services.AddReverseProxy();
        builder.Services.AddSingleton<Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory, UpstreamClientFactory>();
        _app = builder.Build();
        var httpsPort = Endpoint(options.ProxyHttps).Port;
        _app.Use(async (context, next) =>
        {
            if (!context.Request.IsHttps)
            {
                var target = $"https://{context.Request.Host.Host}{(httpsPort == 443 ? "" : ":" + httpsPort)}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
                context.Response.Redirect(target, permanent: true, preserveMethod: true);
                return;
            }

            if (!_byHost.TryGetValue(context.Request.Host.Host, out var route))
            {
                await Results.Problem(statusCode: 404, title: "no such site", detail: $"no module is published as {context.Request.Host.Host}").ExecuteAsync(context);
                return;
            }

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
                await next(context);
            }

            stats.Record(route.Module, context.Response.StatusCode, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        });
        _app.MapReverseProxy(pipeline =>
        {
            pipeline.Use(RetryOnAnotherGuest(pipeline.ApplicationServices.GetRequiredService<Yarp.ReverseProxy.Health.IDestinationHealthUpdater>()));
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        var stamp = ProxyRoutes.Stamp(site.Providers.Embedded.SiteFolder);
        Refresh(config);
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

                    Refresh(config);
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

    private void Refresh(InMemoryConfigProvider config)
    {
        _subnets = ProxyRoutes.Subnets(SiteFiles.Read(site.Layout.ConfigDir).Zones);
        var routes = ProxyRoutes.Build(site.Providers.Embedded);
        if (routes.SequenceEqual(Routes, RouteComparer.Instance))
        {
            return;
        }

        Routes = routes;
        _byHost = routes.GroupBy(r => r.Host, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        config.Update(
            [.. routes.Select(r => new RouteConfig
            {
                RouteId = r.Module, ClusterId = r.Module, Match = new RouteMatch { Hosts = [r.Host] },
                Transforms = r.PreserveHost ? [new Dictionary<string, string> { ["RequestHeaderOriginalHost"] = "true" }] : null,
            })],
            [.. routes.Select(r => new ClusterConfig
            {
                ClusterId = r.Module,
                Destinations = r.Destinations.ToDictionary(d => d.Guest, d => new DestinationConfig { Address = d.Address.ToString() }),
                HealthCheck = new HealthCheckConfig { AvailableDestinationsPolicy = "HealthyOrPanic", Passive = new PassiveHealthCheckConfig { Enabled = true, ReactivationPeriod = TimeSpan.FromSeconds(5) } },
                HttpClient = r.UpstreamTls ? new HttpClientConfig { DangerousAcceptAnyServerCertificate = true } : null,
                HttpRequest = r.Http1 ? new ForwarderRequestConfig { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact } : null,
                LoadBalancingPolicy = "RoundRobin",
            })]);
    }

    /// <summary>
    /// Retries a request that has no body on another ready guest when the one chosen failed before answering (refused,
    /// reset, gone): the client sees one answer. The failed guest leaves the rotation for a while (passive health) — the
    /// supervisor's checks bring it back through the route refresh.
    /// </summary>
    private Func<HttpContext, Func<Task>, Task> RetryOnAnotherGuest(Yarp.ReverseProxy.Health.IDestinationHealthUpdater health) => async (context, next) =>
    {
        var feature = context.GetReverseProxyFeature();
        var candidates = feature.AvailableDestinations;
        List<Yarp.ReverseProxy.Model.DestinationState>? tried = null;
        for (var attempt = 0; ; attempt++)
        {
            await next();
            var error = context.Features.Get<IForwarderErrorFeature>();
            if (error is null || context.Response.HasStarted || !Bodiless(context.Request) || feature.ProxiedDestination is not { } failed
                || error.Error is not (ForwarderError.Request or ForwarderError.RequestTimedOut) || attempt >= 3)
            {
                return;
            }

            (tried ??= []).Add(failed);
            health.SetPassive(context.GetRouteModel().Cluster!, failed, Yarp.ReverseProxy.Model.DestinationHealth.Unhealthy, TimeSpan.FromSeconds(5));
            var others = candidates.Where(d => !tried.Contains(d)).ToList();
            if (others.Count == 0)
            {
                return;
            }

            feature.AvailableDestinations = others;
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status200OK;
            stats.Retried(feature.Route.Config.RouteId);
        }
    };

    // A request that can be sent again as it is: no body, and a method that means the same the second time.
    private static bool Bodiless(HttpRequest request) =>
        request.ContentLength is null or 0 && !request.Headers.ContainsKey("Transfer-Encoding")
        && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || HttpMethods.IsDelete(request.Method) || (HttpMethods.IsPut(request.Method) && request.ContentLength == 0));

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
