using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tappaas.Engine.Site;
using Tappaas.IO;
using Tappaas.Platform.Embedded;
using Tappaas.Platform.Embedded.Guests;

namespace Tappaas.Bench;

/// <summary>
/// How fast a guest's change reaches the proxy's routes, and what watching costs when nothing changes: the embedded
/// platform's routes told by inotify (ours) against the same routes rebuilt by a 500 ms poll (how the proxy learned of
/// changes before), in one run on one site of <c>--modules</c> proxied modules with two guests each. A change is what a
/// guest's supervisor writes: its <c>state.json</c> turning ready, or the <c>draining</c> marker a rollout sets. The
/// latency is from that write to the route table holding (or no longer holding) the guest. Targets: ours under 50 ms at
/// p99; idle CPU below the poll's.
/// </summary>
internal static class RouteBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var modules = args.Length > 1 && args[0] == "--modules" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 40;
        var root = Path.Combine("/var/tmp", "tappaas-bench-routes-" + Guid.NewGuid().ToString("N")[..8]);
        var layout = new SiteLayout(Path.Combine(root, "site"));
        SiteInitializer.Initialize(layout, "tappaas.internal", new Dictionary<string, string> { ["cluster:*"] = "embedded", ["firewall:*"] = "embedded" }, []);
        try
        {
            var platform = new EmbeddedPlatform(layout.Root, isolate: false, TimeProvider.System);
            for (var m = 0; m < modules; m++)
            {
                var name = $"web{m}";
                AtomicFile.Write(layout.ModuleFile(name), "{\"vmname\": \"" + name + "\", \"vmid\": " + (500 + m).ToString(CultureInfo.InvariantCulture) +
                    ", \"zone0\": \"srvHome\", \"proxyPort\": 8080, \"dependsOn\": [\"cluster:vm\", \"firewall:proxy\"], " +
                    "\"config\": {\"cluster:vm\": {\"image\": \"none\", \"workload\": {\"command\": \"/bin/true\", \"ports\": {\"http\": 8080}}}}}");
                for (var g = 0; g < 2; g++)
                {
                    Guest(platform, name, g, ready: true);
                }
            }

            Console.WriteLine($"route propagation: {modules} proxied modules, 2 guests each; ours = told by inotify, baseline = rebuilt every 500 ms");
            EmbeddedRoutes Ours() => new(platform);
            EmbeddedRoutes Poll() => new(platform, watch: false, TimeSpan.FromMilliseconds(500));
            await MeasureAsync(platform, Ours, "(warm-up)", quiet: true); // JIT and tiering out of the way of both
            var ours = await MeasureAsync(platform, Ours, "ours");
            var poll = await MeasureAsync(platform, Poll, "500 ms poll");

            // Idle: nothing changes. Each kind idles twice, alternating (the runtime's own background work hits both alike);
            // the lower of its two counts.
            var idle = new Dictionary<string, List<(double Cpu, long Rebuilds)>> { ["ours"] = [], ["poll"] = [] };
            for (var round = 0; round < 2; round++)
            {
                idle["ours"].Add(await IdleAsync(Ours));
                idle["poll"].Add(await IdleAsync(Poll));
            }

            var (oursCpu, oursRebuilds) = idle["ours"].MinBy(x => x.Cpu);
            var (pollCpu, pollRebuilds) = idle["poll"].MinBy(x => x.Cpu);
            Console.WriteLine();
            Console.WriteLine($"  ready -> routed, median:     ours {ours.ReadyMedian,7:0.0} ms   poll {poll.ReadyMedian,7:0.0} ms   ratio {ours.ReadyMedian / poll.ReadyMedian:0.000}");
            Console.WriteLine($"  draining -> unrouted, median: ours {ours.DrainMedian,7:0.0} ms   poll {poll.DrainMedian,7:0.0} ms   ratio {ours.DrainMedian / poll.DrainMedian:0.000}");
            Console.WriteLine($"  p99 of both:                 ours {ours.P99,7:0.0} ms   poll {poll.P99,7:0.0} ms   (target: ours < 50 ms)");
            Console.WriteLine($"  idle CPU over {Idle.TotalSeconds:0} s:           ours {oursCpu,7:0.0} ms   poll {pollCpu,7:0.0} ms   ratio {oursCpu / Math.Max(pollCpu, 0.001):0.000} (rebuilds: {oursRebuilds} vs {pollRebuilds})");
            var met = ours.P99 < 50 && oursCpu < pollCpu;
            Console.WriteLine(met ? "targets met" : "TARGETS NOT MET");
            return met ? 0 : 1;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);

    private sealed record Result(double ReadyMedian, double DrainMedian, double P99);

    /// <summary>The process's CPU time while the routes sit idle for <see cref="Idle"/>, and how often they were rebuilt.</summary>
    private static async Task<(double CpuMs, long Rebuilds)> IdleAsync(Func<EmbeddedRoutes> make)
    {
        using var routes = make();
        await Task.Delay(TimeSpan.FromSeconds(1)); // past its first build
        var rebuilds = routes.Rebuilds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.Delay(Idle);
        return ((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds, routes.Rebuilds - rebuilds);
    }

    private static async Task<Result> MeasureAsync(EmbeddedPlatform platform, Func<EmbeddedRoutes> make, string label, bool quiet = false)
    {
        using var routes = make();
        var ready = new List<double>();
        var drained = new List<double>();
        var random = new Random(17); // the same moments for both
        for (var trial = 0; trial < 20; trial++)
        {
            var module = $"web{trial % 4}";
            var guest = $"{module}-1";
            // Not ready, and out of the table; then the supervisor reports it ready.
            Guest(platform, module, 1, ready: false);
            await UntilAsync(routes, module, guest, present: false);
            await Task.Delay(random.Next(0, 500)); // a change comes at any moment of a poll's period, not just after a rebuild
            var watch = Stopwatch.StartNew();
            Guest(platform, module, 1, ready: true);
            await UntilAsync(routes, module, guest, present: true);
            ready.Add(watch.Elapsed.TotalMilliseconds);

            await Task.Delay(random.Next(0, 500));
            watch.Restart();
            platform.Runtime.Drain(guest);
            await UntilAsync(routes, module, guest, present: false);
            drained.Add(watch.Elapsed.TotalMilliseconds);
            File.Delete(Path.Combine(platform.Runtime.GuestsDir, guest, "draining"));
            await UntilAsync(routes, module, guest, present: true);
        }

        var all = ready.Concat(drained).Order().ToList();
        var result = new Result(Stats.Median(ready), Stats.Median(drained), all[(int)Math.Ceiling(all.Count * 0.99) - 1]);
        if (!quiet)
        {
            Console.WriteLine($"  {label,-12} ready->routed median {result.ReadyMedian:0.0} ms, draining->unrouted median {result.DrainMedian:0.0} ms, p99 {result.P99:0.0} ms ({all.Count} changes)");
        }

        return result;
    }

    /// <summary>Waits (on the routes' change token, and polling the table every millisecond) until the guest is or is not routed.</summary>
    private static async Task UntilAsync(EmbeddedRoutes routes, string module, string guest, bool present)
    {
        var deadline = Stopwatch.StartNew();
        while (Routed(routes, module, guest) != present)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(5))
            {
                throw new TimeoutException($"{guest} still {(present ? "not routed" : "routed")} after 5 s");
            }

            var changed = new TaskCompletionSource();
            using var registration = routes.GetChangeToken().RegisterChangeCallback(_ => changed.TrySetResult(), null);
            if (Routed(routes, module, guest) == present)
            {
                return;
            }

            await Task.WhenAny(changed.Task, Task.Delay(1));
        }
    }

    private static bool Routed(EmbeddedRoutes routes, string module, string guest) =>
        routes.Current.Routes.FirstOrDefault(r => r.Module == module)?.Destinations.Any(d => d.Guest == guest) == true;

    /// <summary>A guest's folder as its supervisor leaves it: its spec, and its state (running, ready or not), written atomically as the supervisor writes it.</summary>
    private static void Guest(EmbeddedPlatform platform, string module, int replica, bool ready)
    {
        var guest = $"{module}-{replica}";
        var dir = Path.Combine(platform.Runtime.GuestsDir, guest);
        if (!File.Exists(Path.Combine(dir, "spec.json")))
        {
            AtomicFile.Write(Path.Combine(dir, "spec.json"), JsonSerializer.Serialize(new GuestSpecFile
            {
                Guest = guest, Module = module, Command = "/bin/true", WorkingDir = "/", Isolation = "none", Address = "127.0.0.1",
                Ports = new() { ["http"] = 20000 + (module.GetHashCode() & 0x3ff) * 2 + replica },
            }));
        }

        AtomicFile.Write(Path.Combine(dir, "state.json"), JsonSerializer.Serialize(new GuestState { Status = "running", Ready = ready, Isolation = "none", Address = "127.0.0.1" }));
    }
}
