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

    private sealed class Counters
    {
        private readonly Lock _gate = new();
        private long _requests;
        private long _errors;
        private double _seconds;
        public long Retries;

        public void Add(int status, double seconds)
        {
            lock (_gate)
            {
                _requests++;
                _errors += status >= 500 ? 1 : 0;
                _seconds += seconds;
            }
        }

        public Snapshot Read()
        {
            lock (_gate)
            {
                return new Snapshot(_requests, _errors, _seconds, Interlocked.Read(ref Retries));
            }
        }
    }
}
