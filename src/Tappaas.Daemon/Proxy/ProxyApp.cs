using System.Text.Json;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Tappaas.Composition;

namespace Tappaas.Daemon.Proxy;

/// <summary>The proxy's listeners: HTTPS (required) and plain HTTP, which redirects to HTTPS.</summary>
public sealed record ProxyListeners(string Https, string? Http);

/// <summary>
/// The proxy process's own costs as its control socket shows them (<c>GET /runtime</c>): bytes allocated, garbage
/// collections and their pauses, CPU time, since it started. <c>bench/run proxy</c> divides their growth by the
/// requests it sent.
/// </summary>
public sealed record ProxyRuntime(long AllocatedBytes, int Gen0, int Gen1, int Gen2, double PauseMilliseconds, double CpuMilliseconds, int Threads)
{
    public static ProxyRuntime Now()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new(GC.GetTotalAllocatedBytes(precise: false), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
            GC.GetTotalPauseDuration().TotalMilliseconds, self.TotalProcessorTime.TotalMilliseconds, self.Threads.Count);
    }
}

/// <summary>One route as the proxy's control socket shows it.</summary>
public sealed record RouteView(string Module, string Host, IReadOnlyList<string> Guests);

/// <summary>
/// <c>tappaasd proxy</c>: the site's reverse proxy as a process of its own (see <see cref="DataPlane"/>). It routes from
/// the site's files (the installed modules in <c>config/</c>, the guests' state under <c>guests/</c>, watched with
/// inotify), so it needs no daemon to go on serving; the daemon reaches it on a unix socket only root may open
/// (<c>POST /sync</c> reads the routes now, <c>GET /routes</c>, <c>GET /stats</c> for the autoscaler and the metrics).
/// </summary>
public static class ProxyApp
{
    public static WebApplication Build(string site, ProxyListeners listeners, Action<WebApplicationBuilder>? configure = null)
    {
        var layout = new Engine.Site.SiteLayout(Path.GetFullPath(site));
        if (!File.Exists(layout.ConfigurationFile))
        {
            throw new InvalidOperationException($"no site at {layout.Root} (no config/configuration.json); create one with 'tappaas init --site {site}'");
        }

        var time = TimeProvider.System;
        var snapshot = Model.Site.SiteSnapshot.Read(layout.ConfigDir);
        var routes = DataPlane.Routes(layout.Root);
        var ca = new SiteCertificateAuthority(layout.Root, snapshot.Domain ?? "site", time);
        var stats = new ProxyStats();
        var server = new ProxyServer(routes, ca, listeners, stats, time);

        var socket = DataPlane.ControlSocket(layout.Root);
        Directory.CreateDirectory(Path.GetDirectoryName(socket)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(Path.GetDirectoryName(socket)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Delete(socket); // a socket a killed proxy left
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socket));
        builder.Services.AddHostedService(_ => server);
        if (Telemetry.OtlpConfigured)
        {
            // Traces of proxied requests go to the collector the daemon's go to (the proxy inherits its environment).
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService("tappaasd-proxy"))
                .WithTracing(t => t.AddSource(Telemetry.ProxySource).AddOtlpExporter());
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapPost("/sync", () => Results.Json(new { version = server.Sync() }));
        app.MapGet("/routes", () => Results.Json(server.Routes.Select(r => new RouteView(r.Module, r.Host, [.. r.Destinations.Select(d => d.Guest)])).ToList()));
        app.MapGet("/stats", () => Results.Json(stats.All()));
        app.MapGet("/runtime", () => Results.Json(ProxyRuntime.Now()));

        var listening = DataPlane.ListeningFile(layout.Root);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            IO.AtomicFile.Write(listening, JsonSerializer.Serialize(new DataPlane.Listening(Environment.ProcessId, listeners.Https, listeners.Http)));
        });
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            if (DataPlane.Running(layout.Root) is { } running && running.Pid == Environment.ProcessId)
            {
                File.Delete(listening);
            }

            (routes as IDisposable)?.Dispose();
        });
        return app;
    }
}
