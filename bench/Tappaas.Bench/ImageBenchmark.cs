using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Site;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Platform.Embedded;
using Tappaas.TestUtilities;

namespace Tappaas.Bench;

/// <summary>
/// Image guests against Debian's podman (with runc) on the same host, the same image, in the same run: (a) start to
/// ready of an image already in the store (ours: install of a module until its readiness check passed; podman: `podman
/// run -d` until the port accepts), median of N each, target ratio ≤ 1.0; (b) the platform's own memory per running
/// guest — PSS of the supervisor and the runtime process, not the workload — beside conmon's, target ≤ 5 MiB; (c) a
/// scale-up (one more replica until ready) against podman's start; (d) many guests of one image: time to install all,
/// the supervisors' total PSS, and the store's size (one copy of the image).
/// </summary>
internal static class ImageBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = Option(args, "--runs", 10);
        var many = Option(args, "--guests", 20);
        var missing = OciRegistry.Unavailable ?? (File.Exists("/usr/bin/podman") ? null : "podman is not installed");
        if (missing is not null)
        {
            Console.Error.WriteLine($"the image benchmark needs root, runc, skopeo, umoci, docker-registry, busybox-static and podman: {missing}");
            return 2;
        }

        await using var registry = await OciRegistry.StartAsync(CancellationToken.None);
        var image = await registry.PushWebAsync("bench/web", "1", "<h1>bench</h1>");
        var root = Path.Combine("/var/tmp", "tappaas-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var layout = new SiteLayout(Path.Combine(root, "site"));
        SiteInitializer.Initialize(layout, "example.org", new Dictionary<string, string>(), []);
        var configuration = Path.Combine(layout.Root, "config", "configuration.json");
        var config = JsonNode.Parse(File.ReadAllText(configuration))!;
        config["tappaas"]!["registries"] = JsonNode.Parse(registry.RegistriesJson);
        File.WriteAllText(configuration, config.ToJsonString());
        Directory.CreateDirectory(Path.Combine(root, "module"));
        var unpacked = Path.Combine(root, "rootfs");
        var platform = new EmbeddedPlatform(layout.Root, isolate: true, TimeProvider.System) { UnpackedImages = unpacked };
        Console.WriteLine($"image guests ({image}) against podman {Version()} with runc, {runs} runs each");
        try
        {
            await Podman(["pull", "-q", "--tls-verify=false", image]);

            // Warm both: the image in our store and unpacked for the module's ids; podman's in its storage. The tag is
            // resolved once, as the engine does at install (it pins the digest in the module), and not in each start.
            s_digest = await platform.Vm.Images.ResolveAsync(Tappaas.Model.Images.ImageReference.TryParse(image, out _)!, CancellationToken.None);
            var warm = Request(layout, root, Module("bench", image, 1));
            Must(await platform.Vm.InstallAsync(warm, CancellationToken.None));
            Must(await platform.Vm.DeleteAsync(warm, CancellationToken.None));

            var ours = new List<double>();
            var theirs = new List<double>();
            var (started, ready) = (new List<double>(), new List<double>());
            for (var i = 0; i < runs; i++)
            {
                var request = Request(layout, root, Module("bench", image, 1));
                var at = DateTimeOffset.UtcNow;
                var sw = Stopwatch.StartNew();
                Must(await platform.Vm.InstallAsync(request, CancellationToken.None));
                ours.Add(sw.Elapsed.TotalMilliseconds);
                started.Add(EventAt(platform, "bench-0", "started", at));
                ready.Add(EventAt(platform, "bench-0", "ready", at));
                Must(await platform.Vm.DeleteAsync(request, CancellationToken.None));
                theirs.Add(await PodmanStartAsync(image, $"tappaas-bench-{i}"));
            }

            var (o, t) = (Stats.Median(ours), Stats.Median(theirs));
            Console.WriteLine($"(a) start to ready, image in the store: ours median {o,7:0.0} ms, podman run -d median {t,7:0.0} ms: ratio {o / t:0.00} (target <= 1.0) {(o / t <= 1.0 ? "PASS" : "FAIL")}");
            Console.WriteLine($"    where ours goes (medians from the install's start): container started {Stats.Median(started),6:0.0} ms, readiness passed {Stats.Median(ready),6:0.0} ms, install returned {o,6:0.0} ms");

            // (b) and (c): one guest running, its supervisor and runtime measured; then one more replica.
            var one = Request(layout, root, Module("bench", image, 1));
            Must(await platform.Vm.InstallAsync(one, CancellationToken.None));
            var state = platform.Runtime.State("bench-0")!;
            var shim = Pss(state.ShimPid);
            var runtime = ProcessMemory.Sum(PlatformChildren(state));
            await Podman(["run", "-d", "--name", "tappaas-bench-pss", .. PodmanFlags, image, "/bin/httpd", "-f", "-p", Stats.FreePort().ToString(CultureInfo.InvariantCulture), "-h", "/www"]);
            var conmon = Conmon("tappaas-bench-pss");
            Console.WriteLine($"(b) platform memory per guest (PSS), one guest alone: supervisor {shim.Pss:0.0} MiB (RSS {shim.Rss:0.0}, {(Native(state.ShimPid) ? "native" : "managed")}) + runtime processes left {runtime.Pss:0.0} MiB (RSS {runtime.Rss:0.0}) = {shim.Pss + runtime.Pss:0.0} MiB; " +
                $"podman's conmon {conmon.Pss:0.0} MiB (RSS {conmon.Rss:0.0})");
            await Podman(["rm", "-f", "tappaas-bench-pss"]);
            // As a site runs them (the example stack has five guests): the supervisors share their code, PSS divides it.
            Must(await platform.Vm.InstallAsync(Request(layout, root, Module("bench", image, 5)), CancellationToken.None));
            await Task.Delay(500);
            var five = PlatformPss(platform, "bench") / 5;
            Console.WriteLine($"    with five guests: {five:0.0} MiB a guest (target <= 5 MiB per guest) {(five <= 5 ? "PASS" : "FAIL")}; the lone guest carries all of the supervisor's shared code alone");
            Must(await platform.Vm.InstallAsync(Request(layout, root, Module("bench", image, 1)), CancellationToken.None));

            var scale = new List<double>();
            for (var i = 0; i < Math.Max(3, runs / 2); i++)
            {
                var sw = Stopwatch.StartNew();
                Must(await platform.Vm.InstallAsync(Request(layout, root, Module("bench", image, 2)), CancellationToken.None));
                scale.Add(sw.Elapsed.TotalMilliseconds);
                Must(await platform.Vm.InstallAsync(Request(layout, root, Module("bench", image, 1)), CancellationToken.None));
            }

            var s = Stats.Median(scale);
            Console.WriteLine($"(c) scale 1 -> 2, new replica ready: median {s,7:0.0} ms, podman start median {t,7:0.0} ms: ratio {s / t:0.00} (target <= 1.0) {(s / t <= 1.0 ? "PASS" : "FAIL")}");
            Must(await platform.Vm.DeleteAsync(one, CancellationToken.None));

            // (d) many guests of one image.
            var all = Request(layout, root, Module("many", image, many));
            var total = Stopwatch.StartNew();
            Must(await platform.Vm.InstallAsync(all, CancellationToken.None));
            var installAll = total.Elapsed.TotalSeconds;
            var supervisors = PlatformPss(platform, "many");
            var store = platform.Vm.Images.List();
            Console.WriteLine($"(d) {many} guests of one image: installed in {installAll:0.0} s ({installAll * 1000 / many:0} ms a guest); supervisors and runtimes {supervisors:0} MiB PSS in all " +
                $"({supervisors / many:0.0} MiB a guest, target <= 5 MiB {(supervisors / many <= 5 ? "PASS" : "FAIL")}); store {store.Count} image, {store.Sum(i => i.Bytes) / 1048576.0:0.0} MiB (one copy), unpacked once: {Directory.GetDirectories(unpacked).Length} root filesystem(s)");
            Must(await platform.Vm.DeleteAsync(all, CancellationToken.None));
            return o / t <= 1.0 ? 0 : 1;
        }
        finally
        {
            await Podman(["rm", "-f", "--all"]);
            Directory.Delete(root, recursive: true);
        }
    }

    private static readonly string[] PodmanFlags = ["--runtime", "runc", "--cgroup-manager", "cgroupfs", "--ulimit", "nofile=1000:1000", "--ulimit", "nproc=1000:1000", "--network", "host", "--read-only"];

    /// <summary>`podman run -d` of the image (its httpd on a free host port) until the port accepts; then removed.</summary>
    private static async Task<double> PodmanStartAsync(string image, string name)
    {
        var port = Stats.FreePort();
        var sw = Stopwatch.StartNew();
        await Podman(["run", "-d", "--name", name, .. PodmanFlags, image, "/bin/httpd", "-f", "-p", port.ToString(CultureInfo.InvariantCulture), "-h", "/www"]);
        while (!await AcceptsAsync(port))
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("podman's container did not answer within 30 s");
            }

            await Task.Delay(2);
        }

        var elapsed = sw.Elapsed.TotalMilliseconds;
        await Podman(["rm", "-f", "-t", "0", name]);
        return elapsed;
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var c = new TcpClient();
            await c.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// The processes the platform keeps beside the supervisor for a guest (a runtime that stays, e.g. <c>runc run</c> in
    /// the foreground): the supervisor's descendants that are not the container's (its init, the workload pid, and what
    /// runs under it).
    /// </summary>
    private static IEnumerable<int> PlatformChildren(Platform.Embedded.Guests.GuestState state) =>
        ProcessMemory.Descendants(state.ShimPid, pid => pid == state.WorkloadPid);

    /// <summary>The PSS in MiB of what the platform runs for a module's guests: their supervisors and what those keep beside the containers.</summary>
    private static double PlatformPss(EmbeddedPlatform platform, string module) =>
        platform.Runtime.GuestsOf(module).Select(g => platform.Runtime.State(g)!).Sum(st => ProcessMemory.Of(st.ShimPid).Pss + ProcessMemory.Sum(PlatformChildren(st)).Pss);

    private static (double Pss, double Rss) Pss(int pid) => ProcessMemory.Of(pid);

    /// <summary>When the guest's supervisor recorded <paramref name="kind"/> (events.log), in ms after <paramref name="since"/>.</summary>
    private static double EventAt(EmbeddedPlatform platform, string guest, string kind, DateTimeOffset since) =>
        File.ReadLines(Path.Combine(platform.Runtime.GuestDir(guest), "events.log")).Select(l => l.Split('\t'))
            .Where(f => f.Length >= 2 && f[1] == kind).Select(f => (DateTimeOffset.Parse(f[0], CultureInfo.InvariantCulture) - since).TotalMilliseconds).LastOrDefault(double.NaN);

    private static bool Native(int pid) => ProcessMemory.Runs(pid, Platform.Embedded.Guests.GuestRuntime.NativeShimPath);

    private static (double Pss, double Rss) Conmon(string container)
    {
        foreach (var dir in Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.StartsWith("/usr/bin/conmon", StringComparison.Ordinal) && cmdline.Contains(container, StringComparison.Ordinal))
                {
                    return Pss(int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture));
                }
            }
            catch (IOException)
            {
            }
        }

        return (0, 0);
    }

    private static string Version()
    {
        using var p = Process.Start(new ProcessStartInfo("podman", ["--version"]) { RedirectStandardOutput = true })!;
        var v = p.StandardOutput.ReadToEnd().Trim().Split(' ').Last();
        p.WaitForExit();
        return v;
    }

    private static async Task Podman(IReadOnlyList<string> args)
    {
        using var p = Process.Start(new ProcessStartInfo("podman", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0 && args[0] != "rm")
        {
            throw new InvalidOperationException($"podman {string.Join(' ', args)}: {await output}{await error}");
        }
    }

    private static void Must(OperationResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(result.Message);
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var n) ? n : fallback;
    }

    private static ProviderRequest Request(SiteLayout layout, string root, ModuleDefinition module) =>
        new(module, ServiceRef.Parse("cluster:vm"), Path.Combine(root, "module"), layout.Root, HookFlags.None);

    private static string s_digest = "";

    private static ModuleDefinition Module(string name, string image, int replicas) =>
        new(name, name + ".json", (JObject)JsonSource.Parse(name, Encoding.UTF8.GetBytes("""
            {"vmid": 400, "zone0": "srvHome", "dependsOn": ["cluster:vm"], "config": {"cluster:vm": {"imageType": "oci", "image": "IMAGE", "imageDigest": "DIGEST", "cores": 1, "memory": 128,
              "workload": {"ports": {"http": 8080}, "replicas": REPLICAS, "health": {"readiness": {"tcp": {"port": "http"}, "interval": "10ms"}}, "stopGrace": "1s",
              "update": {"minHealthyTime": "0s", "drainTime": "0s", "maxParallel": 8}}}}}
            """.Replace("IMAGE", image, StringComparison.Ordinal).Replace("DIGEST", s_digest, StringComparison.Ordinal).Replace("REPLICAS", replicas.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))).Root!);
}
