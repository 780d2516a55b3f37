using System.Diagnostics.Metrics;
using Tappaas.Abstractions.Backups;
using Tappaas.Abstractions.Guests;
using Tappaas.Abstractions.State;
using Tappaas.Composition;

namespace Tappaas.Daemon.Api;

/// <summary>
/// The daemon's metrics as OpenTelemetry instruments on the meter <see cref="MeterName"/>, served in Prometheus' text
/// format at <c>GET /metrics</c> by OpenTelemetry's exporter (and to an OTLP collector when one is configured): every
/// guest's state, readiness, restarts, memory, CPU time and disk use; the last runs' durations and statuses; the reverse
/// proxy's requests, errors, time and retries per module; every module's last backup and restore verification. The
/// values are observed when scraped, from one read of the guests and the store per quarter second at most.
/// </summary>
internal sealed class DaemonMetrics : IDisposable
{
    public const string MeterName = "Tappaas";

    private readonly Meter _meter = new(MeterName);
    private readonly Cached<IReadOnlyList<GuestSnapshot>> _guests;
    private readonly Cached<(IReadOnlyList<(string Command, string Status, double Seconds)> Durations, IReadOnlyList<ApplyRecord> Runs)> _runs;

    public DaemonMetrics(SiteSession site, Proxy.ProxyStats proxy, TimeProvider time)
    {
        _guests = new(() => site.Guests(withUsage: true), time);
        _runs = new(() => ReadRuns(site.Store), time);
        Guests("tappaas_guest_up", "1 when the guest's workload runs under a live supervisor.", g => g.Supervised && g.Status == GuestStatus.Running ? 1 : 0);
        Guests("tappaas_guest_ready", "1 when the guest passes its readiness check.", g => g.Ready ? 1 : 0);
        _meter.CreateObservableCounter("tappaas_guest_restarts", () => _guests.Value.Select(g => new Measurement<long>(g.Restarts, GuestTags(g))),
            description: "Restarts of the guest by its supervisor.");
        _meter.CreateObservableGauge("tappaas_guest_memory_bytes", () => _guests.Value.Where(g => g.MemoryBytes is not null).Select(g => new Measurement<long>(g.MemoryBytes!.Value, GuestTags(g))),
            description: "Memory the guest's cgroup uses.");
        _meter.CreateObservableCounter("tappaas_guest_cpu_seconds", () => _guests.Value.Where(g => g.CpuSeconds is not null).Select(g => new Measurement<double>(g.CpuSeconds!.Value, GuestTags(g))),
            description: "CPU time the guest's processes used.");
        _meter.CreateObservableGauge("tappaas_guest_disk_bytes", () => _guests.Value.Select(g => new Measurement<long>(g.DiskBytes ?? 0, GuestTags(g))),
            description: "Bytes on the guest's disk at the last measurement.");

        _meter.CreateObservableGauge("tappaas_apply_last_duration_seconds", () => _runs.Value.Durations.Select(d => new Measurement<double>(d.Seconds,
            new KeyValuePair<string, object?>("command", d.Command), new KeyValuePair<string, object?>("status", d.Status))),
            description: "How long the last run of each command took (first to last journal line).");
        _meter.CreateObservableGauge("tappaas_apply_runs", () => _runs.Value.Runs.GroupBy(r => r.Status).Select(g => new Measurement<int>(g.Count(),
            new KeyValuePair<string, object?>("status", g.Key))), description: "Runs among the last 20, by status.");

        Proxy("tappaas_proxy_requests", "Requests the reverse proxy answered for the module.", s => s.Requests);
        Proxy("tappaas_proxy_server_errors", "Of those, answered with a 5xx status.", s => s.ServerErrors);
        _meter.CreateObservableCounter("tappaas_proxy_request_seconds", () => proxy.All().Select(kv => new Measurement<double>(kv.Value.Seconds, ModuleTag(kv.Key))),
            description: "Time spent on the module's requests (divide by the requests for the mean latency).");
        Proxy("tappaas_proxy_retries", "Requests sent to another guest after the first failed before answering.", s => s.Retries);

        _meter.CreateObservableGauge("tappaas_backup_last_success", () => site.Backups.Status().Where(kv => kv.Value.LastBackup is not null)
            .Select(kv => new Measurement<int>(kv.Value.LastBackup!.Succeeded ? 1 : 0, ModuleTag(kv.Key))), description: "1 when the module's last backup succeeded, 0 when it failed.");
        Backup("tappaas_backup_last_run_timestamp_seconds", "When the module's last backup ran (Unix time).", s => s.LastBackup?.At.ToUnixTimeSeconds());
        Backup("tappaas_backup_last_duration_seconds", "How long the module's last backup took.", s => s.LastBackup?.Seconds);
        _meter.CreateObservableCounter("tappaas_backup_failures", () => site.Backups.Status().Select(kv => new Measurement<long>(kv.Value.BackupFailures, ModuleTag(kv.Key))),
            description: "Failed backups of the module.");
        _meter.CreateObservableGauge("tappaas_backup_verify_last_success", () => site.Backups.Status().Where(kv => kv.Value.LastVerify is not null)
            .Select(kv => new Measurement<int>(kv.Value.LastVerify!.Succeeded ? 1 : 0, ModuleTag(kv.Key))), description: "1 when the module's last restore verification succeeded, 0 when it failed.");
        Backup("tappaas_backup_verify_restore_seconds", "Time to restore (RTO) measured by the last successful verification.", s => s.LastVerify is { Succeeded: true } v ? v.RestoreSeconds : null);
        Backup("tappaas_backup_verify_data_age_seconds", "Age of the data restored by the last successful verification (RPO).", s => s.LastVerify is { Succeeded: true } v ? v.DataAgeSeconds : null);
        _meter.CreateObservableCounter("tappaas_backup_verify_failures", () => site.Backups.Status().Select(kv => new Measurement<long>(kv.Value.VerifyFailures, ModuleTag(kv.Key))),
            description: "Failed restore verifications of the module.");

        void Guests(string name, string help, Func<GuestSnapshot, int> value) =>
            _meter.CreateObservableGauge(name, () => _guests.Value.Select(g => new Measurement<int>(value(g), GuestTags(g))), description: help);

        void Backup(string name, string help, Func<BackupModuleStatus, double?> value) =>
            _meter.CreateObservableGauge(name, () => site.Backups.Status().Where(kv => value(kv.Value) is not null)
                .Select(kv => new Measurement<double>(value(kv.Value)!.Value, ModuleTag(kv.Key))), description: help);

        void Proxy(string name, string help, Func<Proxy.ProxyStats.Snapshot, long> value) =>
            _meter.CreateObservableCounter(name, () => proxy.All().Select(kv => new Measurement<long>(value(kv.Value), ModuleTag(kv.Key))), description: help);
    }

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?>[] GuestTags(GuestSnapshot g) => [new("guest", g.Guest), new("module", g.Module)];

    private static KeyValuePair<string, object?> ModuleTag(string module) => new("module", module);

    // An observable callback cannot await: the store answers at once (SQLite on the site's disk, or a PostgreSQL server close by).
    private static (IReadOnlyList<(string, string, double)>, IReadOnlyList<ApplyRecord>) ReadRuns(IStateStore store)
    {
        var runs = store.ListAppliesAsync(20, CancellationToken.None).GetAwaiter().GetResult();
        var durations = new List<(string, string, double)>();
        foreach (var run in runs.GroupBy(r => r.Command).Select(g => g.OrderByDescending(r => r.Id).First()))
        {
            var journal = store.ReadJournalAsync(run.Id, CancellationToken.None).GetAwaiter().GetResult();
            if (journal.Count > 0)
            {
                durations.Add((run.Command, run.Status, (journal[^1].At - run.StartedAt).TotalSeconds));
            }
        }

        return (durations, runs);
    }

    /// <summary>A value read at most every quarter second (a scrape observes many instruments from one read).</summary>
    private sealed class Cached<T>(Func<T> read, TimeProvider time)
    {
        private readonly Lock _gate = new();
        private (T Value, long At)? _last;

        public T Value
        {
            get
            {
                lock (_gate)
                {
                    if (_last is not { } l || time.GetElapsedTime(l.At) > TimeSpan.FromMilliseconds(250))
                    {
                        _last = l = (read(), time.GetTimestamp());
                    }

                    return l.Value;
                }
            }
        }
    }
}
