using Tappaas.Composition;

namespace Tappaas.Daemon.Proxy;

/// <summary>
/// The daemon's side of the data plane (with <c>--proxy-https</c>): at start it adopts the site's running proxy when it
/// listens where asked, else (none, or other listeners) starts one (<see cref="DataPlane.StartAsync"/>), and opens its
/// ports in the site firewall. Then, every second, it copies the proxy's counters into <see cref="ProxyStats"/> (the
/// autoscaler's rps and the metrics) and starts the proxy again should it have died. Stopping the daemon leaves the
/// proxy serving; <c>tappaas down</c> stops it.
/// </summary>
internal sealed class ProxyProcess(SiteSession site, DaemonOptions options, ProxyStats stats, TimeProvider time, ILogger<ProxyProcess> log) : BackgroundService
{
    private static readonly TimeSpan s_startDeadline = TimeSpan.FromSeconds(30);
    private readonly HttpClient _control = ControlClient(DataPlane.ControlSocket(site.Layout.Root));

    private ProxyListeners? Wanted => options.ProxyHttps is { } https ? new ProxyListeners(https, options.ProxyHttp) : null;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Wanted is not { } wanted)
        {
            return;
        }

        await EnsureAsync(wanted, cancellationToken);
        // Guests reach the proxy on their zone gateway: open its ports in the site firewall's input chain.
        await site.Routes.OpenIngressAsync([ProxyServer.Endpoint(wanted.Https).Port, .. wanted.Http is { } h ? [ProxyServer.Endpoint(h).Port] : Array.Empty<int>()], cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (DataPlane.Running(site.Layout.Root) is null)
                {
                    log.LogWarning("the proxy of the site is not running; starting it again (its log: {Log})", DataPlane.Log(site.Layout.Root));
                    await EnsureAsync(Wanted!, stoppingToken);
                    continue;
                }

                await ReadStatsAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or IOException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                log.LogWarning("the proxy did not answer its control socket: {Message}", ex.Message);
            }
        }
    }

    /// <summary>Copies the running proxy's counters into <see cref="ProxyStats"/> now (each second, and whenever the autoscaler samples).</summary>
    public async Task ReadStatsAsync(CancellationToken cancellationToken)
    {
        if (Wanted is null || DataPlane.Running(site.Layout.Root) is not { } running)
        {
            return;
        }

        try
        {
            stats.Report(running.Pid, await _control.GetFromJsonAsync<Dictionary<string, ProxyStats.Snapshot>>("http://proxy/stats", cancellationToken) ?? []);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or System.Text.Json.JsonException)
        {
            log.LogWarning("the proxy did not answer its control socket: {Message}", ex.Message);
        }
    }

    /// <summary>Makes the proxy read the routes now (the API does after every change); quietly nothing without a proxy.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        if (Wanted is null)
        {
            return;
        }

        try
        {
            using var answer = await _control.PostAsync("http://proxy/sync", null, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            log.LogWarning("the proxy did not take the new routes: {Message}", ex.Message);
        }
    }

    /// <summary>The routes the proxy serves now (hosts, and the guests in each one's rotation).</summary>
    public async Task<IReadOnlyList<RouteView>> RoutesAsync(CancellationToken cancellationToken) =>
        Wanted is null ? [] : await _control.GetFromJsonAsync<List<RouteView>>("http://proxy/routes", cancellationToken) ?? [];

    public override void Dispose()
    {
        _control.Dispose();
        base.Dispose();
    }

    private async Task EnsureAsync(ProxyListeners wanted, CancellationToken cancellationToken)
    {
        var root = site.Layout.Root;
        if (DataPlane.Running(root) is { } running)
        {
            if (running.Https == wanted.Https && running.Http == wanted.Http)
            {
                log.LogInformation("the site's proxy (pid {Pid}) serves {Https}: adopted", running.Pid, running.Https);
                return;
            }

            log.LogInformation("the site's proxy (pid {Pid}) listens on {Https}, not {Wanted}: starting it anew", running.Pid, running.Https, wanted.Https);
            await DataPlane.StopAsync(root, TimeSpan.FromSeconds(10), cancellationToken);
        }

        await DataPlane.StartAsync(root, wanted.Https, wanted.Http, cancellationToken);
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < s_startDeadline; await Task.Delay(50, cancellationToken))
        {
            if (DataPlane.Running(root) is { } started)
            {
                log.LogInformation("started the site's proxy (pid {Pid}) on {Https}", started.Pid, started.Https);
                return;
            }
        }

        var logFile = DataPlane.Log(root);
        var tail = File.Exists(logFile) ? string.Join(" | ", File.ReadLines(logFile).TakeLast(5)) : "";
        throw new InvalidOperationException($"the proxy did not start within {s_startDeadline.TotalSeconds:0} s on {wanted.Https}; its log {logFile} ends: {tail}");
    }

    private static HttpClient ControlClient(string socket) => new(Client.LocalSocket.Handler(socket)) { Timeout = TimeSpan.FromSeconds(10) };
}
