using Tappaas.Composition;
using Tappaas.Daemon.Proxy;
using Tappaas.Engine;
using Tappaas.Engine.Apply;
using Tappaas.Model.Resolved;

namespace Tappaas.Daemon.Scaling;

/// <summary>
/// The daemon's autoscaler: every few seconds, for each installed module with <c>workload.autoscale</c>, measures its
/// metric per ready replica — <c>rps</c> from the proxy's counters, <c>cpu</c> from the guests' cgroups — feeds its
/// <see cref="AutoscaleDecider"/> and carries out a decision as a scale run (a new revision), each an
/// <c>autoscaled</c> event with the metric that caused it. Skips a cycle while another run holds the site's lock.
/// </summary>
internal sealed class Autoscaler(SiteSession site, ProxyStats stats, ProxyProcess proxy, DaemonOptions options, TimeProvider time, ILogger<Autoscaler> log) : BackgroundService
{
    private readonly Dictionary<string, (AutoscaleDecider Decider, Sample Last)> _modules = new(StringComparer.Ordinal);
    private readonly BackOff _backOff = new(time, () => options.AutoscaleInterval ?? TimeSpan.FromSeconds(5));

    private TimeSpan Interval => options.AutoscaleInterval ?? TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested && Interval != Timeout.InfiniteTimeSpan)
        {
            await Task.Delay(Interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning("autoscaling cycle failed (the next one tries again): {Message}", ex.Message); // the store or the guests could not be read
            }
        }
    }

    /// <summary>One cycle; returns the decisions carried out.</summary>
    public async Task<IReadOnlyList<(string Module, ScaleDecision Decision)>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var decisions = new List<(string, ScaleDecision)>();
        if (Locked(await site.Store.GetLockAsync(cancellationToken)))
        {
            return decisions;
        }

        await proxy.ReadStatsAsync(cancellationToken); // the proxy's counters as they are now, not as of its last report
        var installed = await site.InstalledAsync(cancellationToken);
        var byModule = site.Guests(withUsage: true).Where(g => !g.Draining).ToLookup(g => g.Module, StringComparer.Ordinal);
        foreach (var module in installed.Where(m => !_backOff.Waiting(m.Name)))
        {
            try
            {
                if (await DecideAsync(module) is { } decision)
                {
                    decisions.Add((module.Name, decision));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var (failures, wait) = _backOff.Failed(module.Name); // contained to this module; the others go on
                log.LogWarning("autoscaling {Module} failed: {Message} (failure {Failures}; next try in {Seconds:0} s)", module.Name, ex.Message, failures, wait.TotalSeconds);
            }
        }

        return decisions;

        async Task<ScaleDecision?> DecideAsync(ResolvedModule module)
        {
            if (module.Workload is not { Autoscale: { } spec } workload)
            {
                _modules.Remove(module.Name);
                return null;
            }

            var now = time.GetUtcNow();
            var guests = byModule[module.Name].ToList();
            var ready = Math.Max(1, guests.Count(g => g.Ready));
            var sample = new Sample(now, stats.Of(module.Name).Requests, guests.Sum(g => g.CpuSeconds ?? 0));
            if (!_modules.TryGetValue(module.Name, out var entry) || entry.Decider.Spec != spec)
            {
                _modules[module.Name] = (new AutoscaleDecider(spec), sample);
                return null; // the first sample only sets the baseline of the counters
            }

            var seconds = Math.Max((sample.At - entry.Last.At).TotalSeconds, 0.001);
            var metric = spec.Metric == "rps"
                ? (sample.Requests - entry.Last.Requests) / seconds / ready
                : Math.Max(0, sample.CpuSeconds - entry.Last.CpuSeconds) / seconds / ready * 100;
            _modules[module.Name] = (entry.Decider, sample);
            if (entry.Decider.Observe(now, workload.Replicas, metric) is not { } decision)
            {
                return null;
            }

            await site.Store.AppendEventAsync(module.Name, "autoscaled", $"{decision.From} -> {decision.To} replicas: {decision.Reason}", cancellationToken);
            var outcome = await site.Engine.ScaleAsync(module.Name, decision.To, new EngineOptions(), cancellationToken);
            await proxy.SyncAsync(cancellationToken);
            if (outcome.Status is not (ApplyStatus.Succeeded or ApplyStatus.SucceededWithWarnings))
            {
                var (failures, wait) = _backOff.Failed(module.Name);
                log.LogWarning("autoscaling {Module} to {Replicas} failed: {Status} (failure {Failures}; next try in {Seconds:0} s)", module.Name, decision.To, outcome.Status,
                    failures, wait.TotalSeconds);
            }
            else
            {
                _backOff.Succeeded(module.Name);
            }

            return decision;
        }

        bool Locked(Abstractions.State.LockHolder? holder) => holder is not null && holder.ExpiresAt > time.GetUtcNow();
    }

    private sealed record Sample(DateTimeOffset At, long Requests, double CpuSeconds);
}
