using Tappaas.Composition;

namespace Tappaas.Daemon;

/// <summary>
/// The daemon's loop: each platform brings back what should run and does not (after a host reboot, 'tappaas down' and
/// up again, a killed supervisor, a stopped VM) — each recovery an event with its cause — and the backups and restore
/// verifications that came due run. A cycle is skipped while a run holds the site's lock, so the loop never races an
/// install or update. A failure is contained to its platform (or to the backups), logged, and that part backs off
/// (doubling, up to <see cref="BackOff.Max"/>) while the others go on.
/// </summary>
internal sealed class Reconciler(SiteSession site, DaemonOptions options, TimeProvider time, ILogger<Reconciler> log) : BackgroundService
{
    private readonly BackOff _backOff = new(time, () => options.ReconcileInterval ?? TimeSpan.FromSeconds(10));
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
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning("reconcile cycle failed: {Message}", ex.Message); // the store itself; the next cycle tries again
            }

            await Task.Delay(Interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>One cycle; returns the guests it brought back.</summary>
    public async Task<IReadOnlyList<string>> RunOnceAsync(CancellationToken cancellationToken)
    {
        await FinishInterruptedRunAsync(cancellationToken);
        if (await site.Store.GetLockAsync(cancellationToken) is { } holder && holder.ExpiresAt > time.GetUtcNow())
        {
            return []; // a run is changing the site; look again next cycle
        }

        var installed = await site.InstalledAsync(cancellationToken);
        var recovered = new List<string>();
        foreach (var recovery in site.Recovery)
        {
            await ContainedAsync(recovery.Provider, async () =>
            {
                foreach (var r in await recovery.RecoverAsync(installed, cancellationToken))
                {
                    recovered.Add(r.Guest);
                    await site.Store.AppendEventAsync(r.Module, "recovered", r.Cause, cancellationToken);
                }
            }, cancellationToken);
        }

        if (time.GetUtcNow() - _lastBackups >= TimeSpan.FromMinutes(1))
        {
            _lastBackups = time.GetUtcNow();
            if (installed.Any(m => m.DependsOnService("backup:vm") || m.Backup.AlwaysBackup.Count > 0))
            {
                await ContainedAsync("backups", () => site.Backups.RunDueAsync(cancellationToken), cancellationToken); // outcomes are events and status
            }
        }

        return recovered;
    }

    /// <summary>
    /// A run its process left unfinished (a crash, a kill, a host that went down mid-update) is finished now: resumed, or
    /// its rollback completed, as 'tappaas resume' would, so no site stays "running" with a staged config until someone
    /// types another command. A run that is still going holds the lock, and then this does nothing.
    /// </summary>
    private async Task FinishInterruptedRunAsync(CancellationToken cancellationToken)
    {
        if (await site.Store.FindUnfinishedApplyAsync(cancellationToken) is not { } run)
        {
            return;
        }

        var outcome = await site.Engine.ResumeAsync(cancellationToken);
        if (outcome is { Status: not Engine.Apply.ApplyStatus.Refused })
        {
            log.LogInformation("finished run {Run} ({Command}) that was interrupted: {Status}", run.Id, run.Command, outcome.Status);
        }
    }

    /// <summary>Runs one part of the cycle unless it is backing off; a failure is logged and doubles its back-off.</summary>
    private async Task ContainedAsync(string part, Func<Task> body, CancellationToken cancellationToken)
    {
        if (_backOff.Waiting(part))
        {
            return;
        }

        try
        {
            await body();
            _backOff.Succeeded(part);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var (failures, wait) = _backOff.Failed(part);
            log.LogWarning("{Part}: {Message} (failure {Failures}; next try in {Seconds:0} s)", part, ex.Message, failures, wait.TotalSeconds);
        }
    }
}
