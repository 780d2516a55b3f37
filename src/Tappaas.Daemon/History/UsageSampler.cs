using Tappaas.Composition;
using Tappaas.Daemon.Proxy;

namespace Tappaas.Daemon.History;

/// <summary>Samples the guests' usage and the proxy's counters into <see cref="UsageHistory"/> every 10 s, on the daemon's clock.</summary>
internal sealed class UsageSampler(SiteSession site, ProxyStats stats, UsageHistory history, TimeProvider time, ILogger<UsageSampler> log) : BackgroundService
{
    /// <summary>One sample now (the timer's, or a test's).</summary>
    public void Sample() => history.Record(time.GetUtcNow(), site.Guests(withUsage: true), stats.All());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(UsageHistory.Interval, time);
        do
        {
            try
            {
                Sample();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning("sampling the guests' usage for the dashboard failed: {Message}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
