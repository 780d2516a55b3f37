using System.Collections.Concurrent;

namespace Tappaas.Daemon.Proxy;

/// <summary>
/// What the proxy served per module: requests, their outcome and time, and retries on another guest. The proxy process
/// records each request; the daemon's copy is told the proxy's totals (<see cref="Report"/>) and keeps counting up across
/// a restart of the proxy, whose own counters start again from zero.
/// </summary>
public sealed class ProxyStats
{
    private readonly ConcurrentDictionary<string, Counters> _modules = new(StringComparer.Ordinal);
    private readonly Lock _reporting = new();
    private Dictionary<string, (Snapshot Before, Snapshot Last)> _reported = new(StringComparer.Ordinal);
    private int _reporter;

    public void Record(string module, int status, double seconds) => _modules.GetOrAdd(module, _ => new Counters()).Add(status, seconds);

    public void Retried(string module) => Interlocked.Increment(ref _modules.GetOrAdd(module, _ => new Counters()).Retries);

    /// <summary>A module's totals (all zero before its first request).</summary>
    public Snapshot Of(string module) => All().TryGetValue(module, out var s) ? s : default;

    public IReadOnlyDictionary<string, Snapshot> All()
    {
        var all = _modules.ToDictionary(kv => kv.Key, kv => kv.Value.Read(), StringComparer.Ordinal);
        foreach (var (module, (before, last)) in Volatile.Read(ref _reported))
        {
            all[module] = (all.TryGetValue(module, out var own) ? own : default) + before + last;
        }

        return all;
    }

    /// <summary>
    /// The totals of the proxy process <paramref name="pid"/> now. Another process than the last one started counting
    /// from zero (the proxy was restarted): what the last one had counted is kept, so the totals only grow.
    /// </summary>
    public void Report(int pid, IReadOnlyDictionary<string, Snapshot> totals)
    {
        lock (_reporting)
        {
            var next = new Dictionary<string, (Snapshot, Snapshot)>(_reported, StringComparer.Ordinal);
            var restarted = pid != _reporter;
            _reporter = pid;
            foreach (var (module, (before, last)) in _reported)
            {
                next[module] = restarted ? (before + last, default) : (before, last);
            }

            foreach (var (module, now) in totals)
            {
                next[module] = (next.TryGetValue(module, out var r) ? r.Item1 : default, now);
            }

            Volatile.Write(ref _reported, next);
        }
    }

    /// <summary>Requests, those answered with 5xx, total seconds spent on them, and retries on another guest.</summary>
    public readonly record struct Snapshot(long Requests, long ServerErrors, double Seconds, long Retries)
    {
        public static Snapshot operator +(Snapshot a, Snapshot b) => new(a.Requests + b.Requests, a.ServerErrors + b.ServerErrors, a.Seconds + b.Seconds, a.Retries + b.Retries);
    }

    // Lock-free: the proxy records every request.
    private sealed class Counters
    {
        private long _requests;
        private long _errors;
        private long _ticks;
        public long Retries;

        public void Add(int status, double seconds)
        {
            Interlocked.Increment(ref _requests);
            if (status >= 500)
            {
                Interlocked.Increment(ref _errors);
            }

            Interlocked.Add(ref _ticks, (long)(seconds * TimeSpan.TicksPerSecond));
        }

        public Snapshot Read() => new(Interlocked.Read(ref _requests), Interlocked.Read(ref _errors), Interlocked.Read(ref _ticks) / (double)TimeSpan.TicksPerSecond, Interlocked.Read(ref Retries));
    }
}
