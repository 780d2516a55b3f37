using System.Collections.Concurrent;

namespace Tappaas.Daemon.Proxy;

/// <summary>What the proxy served per module since the daemon started: requests, their outcome and time, and retries on another guest.</summary>
public sealed class ProxyStats
{
    private readonly ConcurrentDictionary<string, Counters> _modules = new(StringComparer.Ordinal);

    public void Record(string module, int status, double seconds) => _modules.GetOrAdd(module, _ => new Counters()).Add(status, seconds);

    public void Retried(string module) => Interlocked.Increment(ref _modules.GetOrAdd(module, _ => new Counters()).Retries);

    /// <summary>A module's totals (all zero before its first request).</summary>
    public Snapshot Of(string module) => _modules.TryGetValue(module, out var c) ? c.Read() : new Snapshot(0, 0, 0, 0);

    public IReadOnlyDictionary<string, Snapshot> All() => _modules.ToDictionary(kv => kv.Key, kv => kv.Value.Read(), StringComparer.Ordinal);

    /// <summary>Requests, those answered with 5xx, total seconds spent on them, and retries on another guest.</summary>
    public readonly record struct Snapshot(long Requests, long ServerErrors, double Seconds, long Retries);

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
