using Tappaas.Abstractions.Guests;
using Tappaas.Daemon.Proxy;

namespace Tappaas.Daemon.History;

/// <summary>One point of a series: when, and the value (cores, MiB or requests per second).</summary>
internal readonly record struct UsagePoint(DateTimeOffset At, double Value);

/// <summary>A module's or a guest's usage over the last hour: CPU in cores, memory in MiB, requests per second (modules only).</summary>
internal sealed record UsageSeries(string Name, IReadOnlyList<UsagePoint> Cpu, IReadOnlyList<UsagePoint> MemoryMiB, IReadOnlyList<UsagePoint> RequestsPerSecond);

/// <summary>
/// The small history the dashboard's charts draw: every 10 s, each guest's CPU (from its cgroup's CPU time) and memory,
/// and each module's sums and request rate (from the proxy's counters), kept in memory for the last hour (360 points
/// a series at most; a series whose guest is gone drops out once its last point is an hour old). Memory only: a
/// restarted daemon starts a new hour; the Prometheus endpoint is the place for longer histories.
/// </summary>
internal sealed class UsageHistory
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Kept = TimeSpan.FromHours(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Series> _guests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Series> _modules = new(StringComparer.Ordinal);
    private Dictionary<string, (DateTimeOffset At, double CpuSeconds)> _lastCpu = new(StringComparer.Ordinal);
    private Dictionary<string, (DateTimeOffset At, long Requests)> _lastRequests = new(StringComparer.Ordinal);

    /// <summary>Raised after each sample (pages redraw their charts).</summary>
    public event Action? Sampled;

    /// <summary>Adds a sample: the guests as observed with usage and the proxy's request counters per module, at <paramref name="now"/>.</summary>
    public void Record(DateTimeOffset now, IReadOnlyList<GuestSnapshot> guests, IReadOnlyDictionary<string, ProxyStats.Snapshot> requests)
    {
        lock (_gate)
        {
            var cpu = new Dictionary<string, (DateTimeOffset, double)>(StringComparer.Ordinal);
            var moduleCpu = new Dictionary<string, double>(StringComparer.Ordinal);
            var moduleMemory = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var g in guests)
            {
                double? cores = null;
                if (g.CpuSeconds is { } seconds)
                {
                    cpu[g.Guest] = (now, seconds);
                    if (_lastCpu.TryGetValue(g.Guest, out var last) && now > last.At && seconds >= last.CpuSeconds)
                    {
                        cores = (seconds - last.CpuSeconds) / (now - last.At).TotalSeconds;
                    }
                }

                var memory = g.MemoryBytes is { } bytes ? bytes / 1048576.0 : (double?)null;
                var series = Get(_guests, g.Guest);
                series.Add(now, cores, memory, null);
                moduleCpu[g.Module] = moduleCpu.GetValueOrDefault(g.Module) + (cores ?? 0);
                moduleMemory[g.Module] = moduleMemory.GetValueOrDefault(g.Module) + (memory ?? 0);
            }

            var counted = new Dictionary<string, (DateTimeOffset, long)>(StringComparer.Ordinal);
            foreach (var module in moduleCpu.Keys.Union(requests.Keys, StringComparer.Ordinal))
            {
                double? rate = null;
                if (requests.TryGetValue(module, out var stats))
                {
                    counted[module] = (now, stats.Requests);
                    if (_lastRequests.TryGetValue(module, out var last) && now > last.At && stats.Requests >= last.Requests)
                    {
                        rate = (stats.Requests - last.Requests) / (now - last.At).TotalSeconds;
                    }
                }

                Get(_modules, module).Add(now, moduleCpu.TryGetValue(module, out var c) ? c : null, moduleMemory.TryGetValue(module, out var m) ? m : null, rate);
            }

            _lastCpu = cpu;
            _lastRequests = counted;
            Prune(_guests, now);
            Prune(_modules, now);
        }

        Sampled?.Invoke();
    }

    /// <summary>A module's series and each of its guests' (guests by name).</summary>
    public (UsageSeries? Module, IReadOnlyList<UsageSeries> Guests) Of(string module, IEnumerable<string> guests)
    {
        lock (_gate)
        {
            return (_modules.TryGetValue(module, out var m) ? m.Read(module) : null,
                [.. guests.Order(StringComparer.Ordinal).Where(_guests.ContainsKey).Select(g => _guests[g].Read(g))]);
        }
    }

    private static Series Get(Dictionary<string, Series> all, string name) =>
        all.TryGetValue(name, out var s) ? s : all[name] = new Series();

    private static void Prune(Dictionary<string, Series> all, DateTimeOffset now)
    {
        foreach (var (name, series) in all.ToList())
        {
            series.DropBefore(now - Kept);
            if (series.Empty)
            {
                all.Remove(name);
            }
        }
    }

    private sealed class Series
    {
        private readonly Queue<UsagePoint> _cpu = new();
        private readonly Queue<UsagePoint> _memory = new();
        private readonly Queue<UsagePoint> _requests = new();
        private DateTimeOffset _last;

        public bool Empty => _cpu.Count == 0 && _memory.Count == 0 && _requests.Count == 0;

        public void Add(DateTimeOffset at, double? cpu, double? memory, double? requests)
        {
            _last = at;
            Push(_cpu, at, cpu);
            Push(_memory, at, memory);
            Push(_requests, at, requests);
        }

        public void DropBefore(DateTimeOffset oldest)
        {
            foreach (var q in new[] { _cpu, _memory, _requests })
            {
                while (q.Count > 0 && q.Peek().At < oldest)
                {
                    q.Dequeue();
                }
            }
        }

        public UsageSeries Read(string name) => new(name, [.. _cpu], [.. _memory], [.. _requests]);

        private static void Push(Queue<UsagePoint> q, DateTimeOffset at, double? value)
        {
            if (value is { } v)
            {
                q.Enqueue(new UsagePoint(at, v));
                while (q.Count > Kept / Interval)
                {
                    q.Dequeue();
                }
            }
        }
    }
}
