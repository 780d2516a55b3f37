using System.Diagnostics;
using System.Globalization;
using Tappaas.Client;
using Tappaas.Engine.Site;

namespace Tappaas.Bench;

/// <summary>
/// The daemon under a dashboard's load: a real tappaasd process (HTTPS, site CA, the reverse proxy on as <c>tappaas up</c>
/// runs it, so with its inline socket completions) with N modules installed, each a
/// guest on the embedded platform; then, while an apply runs (an install whose guest takes seconds to become ready),
/// rounds of 100 concurrent <c>GET /api/v1/status</c>, against the same rounds of <c>GET /api/v1/health</c> (the
/// daemon's cheapest answer) as the baseline measured in the same run. Target: status p99 under 20 ms. Prints the
/// daemon's memory (RSS) with N guests, and the guests' own (supervisors and workloads) beside it. The daemon is the
/// package's (self-contained, ReadyToRun; published into .build/daemon-r2r), or with <c>--jit</c> the build's.
/// </summary>
internal static class ApiBenchmark
{
    private const int Concurrency = 100;
    private const int Rounds = 20;
    private const int WarmRounds = 60;

    public static async Task<int> RunAsync(string[] args)
    {
        var modules = args.SkipWhile(a => a != "--modules").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(100);
        // The daemon as the package installs it (self-contained, ReadyToRun), or with --jit the build's output beside
        // this benchmark, whose every method is compiled at run time first (a fresh daemon's first install pays it).
        IReadOnlyList<string> command = args.Contains("--jit")
            ? ["dotnet", Path.Combine(AppContext.BaseDirectory, "tappaasd.dll")]
            : [await PackageBuild.PublishAsync("daemon-r2r", "tappaasd", "the daemon as the package has it (self-contained, ReadyToRun)",
                "--self-contained", "-p:PublishReadyToRun=true", "-p:DebugType=none")];
        Console.WriteLine($"daemon: {string.Join(' ', command)}");
        var root = Path.Combine("/var/tmp", "tappaas-bench-api-" + Guid.NewGuid().ToString("N")[..8]);
        var layout = new SiteLayout(Path.Combine(root, "site"));
        var repository = Path.Combine(root, "modules");
        SiteInitializer.Initialize(layout, "example.org", new Dictionary<string, string> { ["cluster:*"] = "embedded" }, [repository]);
        TestUtilities.EmbeddedSites.Separate(layout.Root, "bn", 220);
        Release(repository, "cluster", """{"description": "guests", "version": "1.0", "provides": ["vm"]}""");
        var names = Enumerable.Range(0, modules).Select(i => $"app{i:000}").ToList();
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            Release(repository, name, Guest(name, 1000 + i, "\"/bin/sleep\", \"args\": [\"infinity\"]", ""));
        }

        // The apply that runs during the measurement: its guest listens only after 6 s.
        Release(repository, "slow", Guest("slow", 999, "\"/usr/bin/python3\", \"args\": [\"-c\", \"import socket,time; time.sleep(6); s=socket.socket(); s.bind(('0.0.0.0', 8080)); s.listen(); time.sleep(1e9)\"]",
            ", \"ports\": {\"http\": 8080}, \"health\": {\"readiness\": {\"tcp\": {\"port\": \"http\"}, \"interval\": \"100ms\"}}"));

        var port = Stats.FreePort();
        var tokenFile = Path.Combine(root, "token");
        using var daemon = Process.Start(new ProcessStartInfo(command[0], [.. command.Skip(1), "--site", layout.Root,
            "--listen", $"https://127.0.0.1:{port}", "--proxy-https", $"https://127.0.0.1:{Stats.FreePort()}", "--initial-token-file", tokenFile]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        try
        {
            var (api, connection) = await ConnectAsync(layout.Root, $"https://127.0.0.1:{port}", tokenFile);
            using var apiClient = api;
            var sw = Stopwatch.StartNew();
            var installed = await api.InstallAsync(["cluster", .. names], false, CancellationToken.None);
            if (!installed.Ok)
            {
                throw new InvalidOperationException($"installing {modules} modules failed: {installed.Problem}");
            }

            var status = (await api.StatusAsync(CancellationToken.None)).Value!;
            Console.WriteLine($"{modules} modules installed in one run in {sw.Elapsed.TotalSeconds:0.0} s (target < 10 s: {(sw.Elapsed.TotalSeconds < 10 ? "met" : "MISSED")}); {status.Guests.Count(g => g.Ready)} guests ready, isolation: {status.Guests[0].Isolation}");
            if (installed.Value?.RunId is long run && (await api.JournalAsync(run, CancellationToken.None)).Value is { } journal)
            {
                Console.WriteLine($"  where the run's time goes (summed over its steps): {StepTimes(journal)}");
            }
            await Task.Delay(2000); // let the daemon and the guests settle before measuring memory and latency
            var daemonRss = Rss(daemon.Id);
            var guestsRss = status.Guests.Sum(g => Rss(ShimOf(layout.Root, g.Guest)) + (g.WorkloadPid is { } p ? Rss(p) : 0));
            Console.WriteLine($"daemon memory with {status.Guests.Count} guests: {daemonRss / 1048576.0:0.0} MiB RSS (the guests' supervisors and workloads: {guestsRss / 1048576.0:0} MiB, {guestsRss / 1048576.0 / Math.Max(1, status.Guests.Count):0.0} MiB per guest)");

            // Both endpoints measured while the same kind of apply runs, as raw HTTP requests (the latency is the
            // daemon's, not the client's JSON parsing); health first, then status. The status document is asked for
            // gzip-compressed, as the CLI asks, and read as it arrives: inflating it is the caller's cost like parsing it
            // (100 callers inflating 46 KiB each in this one process on the daemon's 2 cores is about 15 ms of CPU a round).
            var handler = SiteTrust.Handler(connection.TrustedRoot);
            handler.AutomaticDecompression = System.Net.DecompressionMethods.None;
            using var http = new HttpClient(handler) { BaseAddress = connection.Url };
            http.DefaultRequestHeaders.Authorization = new("Bearer", connection.Token);
            http.DefaultRequestHeaders.AcceptEncoding.Add(new("gzip"));
            // The daemon serves for weeks; these figures are its steady state, not its first seconds: the calls are made
            // until the runtime has compiled them at its last tier.
            var warm = Stopwatch.StartNew();
            foreach (var path in new[] { "api/v1/health", "api/v1/status" })
            {
                for (var i = 0; i < WarmRounds; i++)
                {
                    await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => GetAsync(http, path)));
                }
            }

            await Task.Delay(1000); // the runtime's tier-up compiles in the background after calls stop
            Console.WriteLine($"warm-up: {WarmRounds} rounds of {Concurrency} calls to each endpoint in {warm.Elapsed.TotalSeconds:0.0} s");
            Console.WriteLine($"one status read in this process, median of 200: {await ReadCostAsync(layout.Root)}");
            var cpu = CpuSeconds(daemon.Id);
            var idle = await UnderApplyAsync(null, "slow", () => GetAsync(http, "api/v1/health"));
            var (healthCpu, cpu2) = (CpuSeconds(daemon.Id) - cpu, CpuSeconds(daemon.Id));
            var idleStatus = await UnderApplyAsync(null, "slow", () => GetAsync(http, "api/v1/status"));
            var statusCpu = CpuSeconds(daemon.Id) - cpu2;
            var health = await UnderApplyAsync(api, "slow", () => GetAsync(http, "api/v1/health"));
            var statuses = await UnderApplyAsync(api, "slow", () => GetAsync(http, "api/v1/status"));
            Console.WriteLine($"{Concurrency} concurrent calls x {Rounds} rounds while an apply runs (HTTPS, keep-alive):");
            Console.WriteLine($"  with no apply running:         health p50 {idle.P50,6:0.0} ms  p99 {idle.P99,6:0.0} ms; status p50 {idleStatus.P50,6:0.0} ms  p99 {idleStatus.P99,6:0.0} ms");
            Console.WriteLine($"  the daemon's CPU per call (no apply running): health {healthCpu * 1e6 / (Rounds + 1) / Concurrency:0} us, status {statusCpu * 1e6 / (Rounds + 1) / Concurrency:0} us");
            Console.WriteLine($"  GET /api/v1/health (baseline): p50 {health.P50,6:0.0} ms  p99 {health.P99,6:0.0} ms  {health.Failed} failed  (apply ran through {health.ApplyRunning:P0} of the rounds)");
            Console.WriteLine($"  GET /api/v1/status:            p50 {statuses.P50,6:0.0} ms  p99 {statuses.P99,6:0.0} ms  {statuses.Failed} failed  (apply ran through {statuses.ApplyRunning:P0} of the rounds)");
            Console.WriteLine($"  ratio status/health: p50 {statuses.P50 / health.P50:0.00}x, p99 {statuses.P99 / health.P99:0.00}x; status p99 target < 20 ms: {(statuses.P99 < 20 ? "PASS" : "FAIL")}");
            return statuses.P99 < 20 && statuses.Failed == 0 ? 0 : 1;
        }
        finally
        {
            daemon.Kill();
            await daemon.WaitForExitAsync();
            await Composition.DataPlane.StopAsync(layout.Root, TimeSpan.FromSeconds(5), CancellationToken.None); // the proxy outlives the daemon
            var runtime = new Platform.Embedded.EmbeddedPlatform(layout.Root, Platform.Embedded.EmbeddedPlatform.CanIsolate, TimeProvider.System);
            foreach (var (guest, spec) in runtime.Runtime.All())
            {
                await runtime.Vm.DeleteAsync(new(new Model.Modules.ModuleDefinition(spec.Module, spec.Module + ".json", Model.Json.JObject.Empty),
                    Model.Modules.ServiceRef.Parse("cluster:vm"), root, layout.Root, Abstractions.Providers.HookFlags.None), CancellationToken.None);
            }

            if (runtime.Isolate)
            {
                await runtime.Network.RemoveAsync(CancellationToken.None);
            }

            Directory.Delete(root, recursive: true);
        }
    }

    // Seconds from each step's "started" to its "completed" (or "failed"), summed by the kind of step its address names.
    private static string StepTimes(IReadOnlyList<ProgressV1> journal)
    {
        var started = new Dictionary<int, DateTimeOffset>();
        var byKind = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var entry in journal)
        {
            if (entry.Phase == "started")
            {
                started[entry.Step] = entry.At;
            }
            else if (entry.Phase is "completed" or "failed" && started.TryGetValue(entry.Step, out var at))
            {
                var kind = entry.Address[(entry.Address.LastIndexOf(':') + 1)..];
                byKind[kind] = byKind.GetValueOrDefault(kind) + (entry.At - at).TotalSeconds;
            }
        }

        return string.Join(", ", byKind.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value:0.0} s"));
    }

    // Where a status read's time goes, read the way the daemon reads it (the site opened a second time, here).
    private static async Task<string> ReadCostAsync(string site)
    {
        var (session, error) = await Composition.SiteSession.OpenAsync(site, CancellationToken.None);
        await using var _ = session ?? throw new InvalidOperationException(error);
        var (store, guests, json, sizes) = (new List<double>(), new List<double>(), new List<double>(), 0);
        for (var i = 0; i < 200; i++)
        {
            var sw = Stopwatch.StartNew();
            await session.Store.ListModulesAsync(CancellationToken.None);
            await session.Store.ListAppliesAsync(5, CancellationToken.None);
            await session.Store.GetLockAsync(CancellationToken.None);
            await session.Store.GetRevisionAsync(CancellationToken.None);
            store.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            session.Guests();
            guests.Add(sw.Elapsed.TotalMilliseconds);
            var status = await Composition.SiteStatusReport.ReadAsync(session, CancellationToken.None);
            sw.Restart();
            sizes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(status, ApiJson.Default.SiteStatusV1).Length;
            json.Add(sw.Elapsed.TotalMilliseconds);
        }

        static double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
        return $"store {Median(store):0.00} ms, guests {Median(guests):0.00} ms, JSON {Median(json):0.00} ms ({sizes / 1024} KiB)";
    }

    private sealed record Latencies(double P50, double P99, int Failed, double ApplyRunning);

    // Installs the slow module (an apply of several seconds) and measures rounds of concurrent calls meanwhile; deletes it after.
    private static async Task<bool> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return response.IsSuccessStatusCode && (await response.Content.ReadAsByteArrayAsync()).Length > 0;
    }

    private static async Task<Latencies> UnderApplyAsync(TappaasClient? api, string module, Func<Task<bool>> call)
    {
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => call())); // warm: 100 connections open, TLS done
        var apply = api?.InstallAsync([module], false, CancellationToken.None) ?? Task.FromResult(new ApiResult<ApplyResultV1>(null, null));
        await Task.Delay(500); // the run has taken the lock and is starting the guest
        var times = new List<double>();
        var failed = 0;
        var during = 0;
        for (var round = 0; round < Rounds; round++)
        {
            during += apply.IsCompleted ? 0 : 1;
            var results = await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
            {
                var sw = Stopwatch.StartNew();
                var ok = await call();
                return (sw.Elapsed.TotalMilliseconds, ok);
            }));
            times.AddRange(results.Select(r => r.TotalMilliseconds));
            failed += results.Count(r => !r.ok);
        }

        if (api is null)
        {
            times.Sort();
            return new Latencies(times[times.Count / 2], times[(int)(times.Count * 0.99)], failed, 0);
        }

        if (!(await apply).Ok)
        {
            throw new InvalidOperationException($"the apply during the measurement failed: {(await apply).Problem}");
        }

        await api.DeleteAsync(module, remove: true, force: false, CancellationToken.None);
        times.Sort();
        return new Latencies(times[times.Count / 2], times[(int)(times.Count * 0.99)], failed, (double)during / Rounds);
    }

    private static async Task<(TappaasClient Client, ApiConnection Connection)> ConnectAsync(string site, string url, string tokenFile)
    {
        for (var i = 0; i < 300; i++)
        {
            if (File.Exists(tokenFile) && File.Exists(ApiConnection.RootFile(site)))
            {
                var connection = ApiConnection.Discover(site, url, File.ReadAllText(tokenFile).Trim())!;
                var client = new TappaasClient(connection);
                if ((await client.HealthAsync(CancellationToken.None)).Ok)
                {
                    return (client, connection);
                }

                client.Dispose();
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the daemon did not answer on {url} within 30 s");
    }

    private static void Release(string repository, string name, string json)
    {
        Directory.CreateDirectory(Path.Combine(repository, name));
        File.WriteAllText(Path.Combine(repository, name, name + ".json"), json);
    }

    private static string Guest(string name, int vmid, string command, string extra) =>
        "{\"description\": \"" + name + "\", \"version\": \"1.0\", \"vmid\": " + vmid.ToString(CultureInfo.InvariantCulture) +
        ", \"zone0\": \"srvHome\", \"dependsOn\": [\"cluster:vm\"], \"config\": {\"cluster:vm\": {\"image\": \"none\", \"memory\": 512, \"cores\": 1, " +
        "\"workload\": {\"command\": " + command + ", \"stopGrace\": \"1s\"" + extra + "}}}}";

    private static int ShimOf(string site, string guest) =>
        new Platform.Embedded.Guests.GuestRuntime(site).State(guest)?.ShimPid ?? 0;

    // User and system CPU time of a process so far (/proc/PID/stat, in clock ticks of 10 ms).
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static long Rss(int pid)
    {
        var file = $"/proc/{pid}/status";
        if (pid <= 0 || !File.Exists(file))
        {
            return 0;
        }

        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
