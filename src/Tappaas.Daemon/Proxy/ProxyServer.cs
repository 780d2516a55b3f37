using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Primitives;
using Tappaas.Abstractions.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Tappaas.Daemon.Proxy;

/// <summary>
/// The reverse proxy of the embedded platform, on its own listeners: HTTPS with a certificate from the site CA for each
/// requested name (SNI), plain HTTP redirected to HTTPS. Routes follow the site: the route source tells the proxy of every
/// change (a guest that stops being ready or is drained leaves the rotation within milliseconds; in-flight requests finish); the route is found by the
/// request's host in a map, a client whose zone is not in its <c>proxyAllowedZones</c> gets 403, and the rest is
/// <see cref="GuestForwarder"/> (YARP's forwarder, round robin, retries on another guest, passive health) — no routing
/// table or per-request pipeline beyond that, since this is the path every request pays for.
/// </summary>
internal sealed class ProxyServer(IRouteSource source, SiteCertificateAuthority ca, ProxyListeners options, ProxyStats stats, TimeProvider time) : IHostedService
{
    private readonly Lock _applying = new();
    private WebApplication? _app;
    private IDisposable? _subscription;
    private RouteTable _table = RouteTable.Empty;

    public IReadOnlyList<ProxyRoute> Routes => _table.Routes;

    private Dictionary<string, Upstream> _byHost = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The version of the table it routes by.</summary>
    public long Version => _table.Version;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
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
            k.Listen(Endpoint(options.Https), l => l.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificateSelector = (_, name) => ca.ServerCertificate(string.IsNullOrEmpty(name) ? "localhost" : name),
            }));
            if (options.Http is { } http)
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
        var httpsPort = Endpoint(options.Https).Port;
        _app.Run(async context =>
        {
            // Plain HTTP redirects to HTTPS only for the names the site publishes: another Host is not an open redirect.
            if (!context.Request.IsHttps && _byHost.ContainsKey(context.Request.Host.Host))
            {
                var target = $"https://{context.Request.Host.Host}{(httpsPort == 443 ? "" : ":" + httpsPort)}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
                context.Response.Redirect(target, permanent: true, preserveMethod: true);
                return;
            }

            if (!_byHost.TryGetValue(context.Request.Host.Host, out var upstream) || !context.Request.IsHttps)
            {
                await Results.Problem(statusCode: 404, title: "no such site", detail: $"no module is published as {context.Request.Host.Host}").ExecuteAsync(context);
                return;
            }

            var route = upstream.Route;
            var zone = _table.ZoneOf(context.Connection.RemoteIpAddress ?? IPAddress.None);
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
        // The routes are told, not polled: the source fires its change token when a guest becomes ready, drains or
        // goes, or the site's modules change, and the table is swapped whole.
        Apply(source.Current);
        _subscription = ChangeToken.OnChange(source.GetChangeToken, () => Apply(source.Current));
        await _app.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
            await _app.DisposeAsync();
        }
    }

    /// <summary>
    /// Reads the routes now and returns the version it routes by. The daemon asks for it when a run that changes the site
    /// returns, so a run never reports done while the proxy still routes to the guests it replaced or misses the ones it
    /// made ready.
    /// </summary>
    public long Sync()
    {
        Apply(source.Refresh());
        return _table.Version;
    }

    private void Apply(RouteTable table)
    {
        lock (_applying) // the change token's callback and Sync: the newer table wins
        {
            if (table.Version <= _table.Version && _table.Version != 0)
            {
                return;
            }

            _byHost = table.Routes.GroupBy(r => r.Host, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => new Upstream(g.First()), StringComparer.OrdinalIgnoreCase);
            _table = table;
        }
    }

    internal static IPEndPoint Endpoint(string url)
    {
        var uri = new Uri(url);
        return new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port);
    }
}
