using Tappaas.Composition;
using Tappaas.Platform.Embedded.Backup;

namespace Tappaas.Daemon;

/// <summary>
/// The daemon's loop: observe the guests and bring back any of an installed module whose supervisor is gone (after a
/// host reboot, 'tappaas down' and up again, or a killed supervisor) — each recovery an event with its cause — and run the backups and restore verifications that came due.
/// A cycle is skipped while a run holds the site's lock, so the loop never races an install or update.
/// </summary>
internal sealed class Reconciler(SiteSession site, DaemonOptions options, TimeProvider time, ILogger<Reconciler> log) : BackgroundService
{
    private DateTimeOffset _lastBackups = DateTimeOffset.MinValue;

    /// <summary>How often the guests are observed (default every 10 s).</summary>
    private TimeSpan Interval => options.ReconcileInterval ?? TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested && Interval != Timeout.InfiniteTimeSpan)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
            {
                log.LogWarning("reconcile cycle failed: {Message}", ex.Message);
            }

            await Task.Delay(Interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>One cycle; returns the guests it brought back.</summary>
    public async Task<IReadOnlyList<string>> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (await site.Store.GetLockAsync(cancellationToken) is { } holder && holder.ExpiresAt > time.GetUtcNow())
        {
            return []; // a run is changing the site; look again next cycle
        }

        var runtime = site.Providers.Embedded.Runtime;
        var installed = (await site.Store.ListModulesAsync(cancellationToken)).Where(m => m.Status == "installed").Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var recovered = new List<string>();
        foreach (var (guest, spec) in runtime.All())
        {
            // A guest of an installed module runs unless its supervisor gave up on it (the reason stays in status).
            // "stopped" guests run again too: a host shutdown or 'tappaas down' stopped them, not a change of the site.
            var state = runtime.State(guest);
            if (runtime.SupervisorAlive(guest) || state?.Status == "failed" || !installed.Contains(spec.Module))
            {
                continue;
            }

            runtime.Start(spec);
            recovered.Add(guest);
            await site.Store.AppendEventAsync(spec.Module, "recovered",
                $"guest {guest} had no supervisor (last status {state?.Status ?? "unknown"}); started it again", cancellationToken);
        }

        if (time.GetUtcNow() - _lastBackups >= TimeSpan.FromMinutes(1))
        {
            _lastBackups = time.GetUtcNow();
            var service = new BackupService(site.Providers.Embedded, site.Store);
            if (service.Covered().Count > 0)
            {
                await service.RunDueAsync(cancellationToken); // outcomes are events, status and metrics
            }
        }

        return recovered;
    }
}
