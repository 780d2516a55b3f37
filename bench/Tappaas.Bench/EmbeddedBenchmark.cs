using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Site;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Platform.Embedded;

namespace Tappaas.Bench;

/// <summary>
/// Guests on the embedded platform, with a small HTTP workload (python3 -m http.server):
/// (a) install-to-ready — the provider call until the guest is ready — against the workload's own start time (the same
/// command started directly until its port accepts), median of 20 each; target: under 500 ms beyond the workload's own.
/// (b) kill-to-healthy — SIGKILL of the workload until the supervisor reports it running and ready again — median of
/// 20; target under 2 s, printed beside the anchors of Kubernetes' default liveness settings and Proxmox HA.
/// (c) the platform's own memory per guest: PSS of the supervisor and the wrappers between it and the workload, one
/// guest alone and each of ten; target 5 MiB.
/// </summary>
internal static class EmbeddedBenchmark
{
    private const int Runs = 20;

    public static async Task<int> RunAsync()
    {
        var isolate = EmbeddedPlatform.CanIsolate;
        var root = Path.Combine("/var/tmp", "tappaas-bench-" + Guid.NewGuid().ToString("N")[..8]); // guests hide /tmp
        var layout = new SiteLayout(Path.Combine(root, "site"));
        SiteInitializer.Initialize(layout, "example.org", new Dictionary<string, string>(), []);
        Directory.CreateDirectory(Path.Combine(root, "module"));
        Console.WriteLine($"embedded guests, isolation: {(isolate ? "namespaces" : "none (not root)")}, {Runs} runs each");
        try
        {
            var direct = await DirectStartAsync();
            var install = await InstallToReadyAsync(layout, root, isolate);
            var overhead = install - direct;
            Console.WriteLine($"(a) workload's own start (direct, until its port accepts): median {direct,7:0.0} ms");
            Console.WriteLine($"    install-to-ready through the platform:                 median {install,7:0.0} ms  ({install / direct:0.00}x direct)");
            Console.WriteLine($"    platform overhead: {overhead:0.0} ms (target < 500 ms) {(overhead < 500 ? "PASS" : "FAIL")}");

            var heal = await KillToHealthyAsync(layout, root, isolate);
            Console.WriteLine($"(b) kill -9 to healthy: median {heal:0} ms (target < 2000 ms) {(heal < 2000 ? "PASS" : "FAIL")}");
            Console.WriteLine($"    anchors: Kubernetes default liveness (period 10 s x 3 failures) ~30000 ms = {30000 / heal:0}x slower; Proxmox HA failover ~120000 ms = {120000 / heal:0}x slower");

            var (one, each, count) = await PlatformMemoryAsync(layout, root, isolate);
            Console.WriteLine($"(c) platform memory per process guest (PSS of the supervisor and the wrappers it keeps, not the workload): {each:0.0} MiB a guest with {count} " +
                $"(target <= 5 MiB per guest) {(each <= 5 ? "PASS" : "FAIL")}; {one:0.0} MiB for one guest alone (it carries all of the supervisor's shared code)");
            return overhead < 500 && heal < 2000 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<double> DirectStartAsync()
    {
        var times = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            var port = Stats.FreePort();
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-m", "http.server", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
            while (!await AcceptsAsync(IPAddress.Loopback, port))
            {
                await Task.Delay(5);
            }

            times.Add(sw.Elapsed.TotalMilliseconds);
            p.Kill();
            await p.WaitForExitAsync();
        }

        return Stats.Median(times);
    }

    private static async Task<double> InstallToReadyAsync(SiteLayout layout, string root, bool isolate)
    {
        var times = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            var platform = new EmbeddedPlatform(layout.Root, isolate, TimeProvider.System);
            var request = Request(layout, root, Module($"bench{i}", restart: ""));
            var sw = Stopwatch.StartNew();
            var result = await platform.Vm.InstallAsync(request, CancellationToken.None);
            times.Add(sw.Elapsed.TotalMilliseconds);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(result.Message);
            }

            await platform.Vm.DeleteAsync(request, CancellationToken.None);
        }

        return Stats.Median(times);
    }

    private static async Task<double> KillToHealthyAsync(SiteLayout layout, string root, bool isolate)
    {
        var platform = new EmbeddedPlatform(layout.Root, isolate, TimeProvider.System);
        // A restart window of 1 s: after a second of health the back-off starts again from its first delay, so each sample is a first failure.
        var request = Request(layout, root, Module("heal", restart: ", \"restart\": {\"attempts\": 5, \"interval\": \"1s\", \"delay\": \"100ms\", \"jitter\": 0}"));
        var result = await platform.Vm.InstallAsync(request, CancellationToken.None);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(result.Message);
        }

        var times = new List<double>();
        try
        {
            for (var i = 0; i < Runs; i++)
            {
                await Task.Delay(1200);
                var before = platform.Runtime.State("heal-0")!;
                var sw = Stopwatch.StartNew();
                Process.GetProcessById(before.WorkloadPid).Kill(entireProcessTree: true);
                while (platform.Runtime.State("heal-0") is not { Status: "running", Ready: true } s || s.WorkloadPid == before.WorkloadPid)
                {
                    if (sw.Elapsed > TimeSpan.FromSeconds(30))
                    {
                        throw new TimeoutException("the guest did not become healthy again within 30 s");
                    }

                    await Task.Delay(5);
                }

                times.Add(sw.Elapsed.TotalMilliseconds);
            }
        }
        finally
        {
            await platform.Vm.DeleteAsync(request, CancellationToken.None);
        }

        return Stats.Median(times);
    }

    /// <summary>The platform's processes for a guest (its supervisor and what stands between it and the workload) in MiB of PSS: one guest alone, then each of ten.</summary>
    private static async Task<(double One, double Each, int Count)> PlatformMemoryAsync(SiteLayout layout, string root, bool isolate)
    {
        var platform = new EmbeddedPlatform(layout.Root, isolate, TimeProvider.System);
        double Measure(string module) => platform.Runtime.GuestsOf(module).Select(g => platform.Runtime.State(g)!)
            .Sum(st => ProcessMemory.Of(st.ShimPid).Pss + ProcessMemory.Sum(ProcessMemory.Descendants(st.ShimPid, Workload)).Pss);
        var result = (0.0, 0.0, 10);
        foreach (var replicas in new[] { 1, 10 })
        {
            var request = Request(layout, root, Module("mem", restart: "", replicas));
            var installed = await platform.Vm.InstallAsync(request, CancellationToken.None);
            if (!installed.Succeeded)
            {
                throw new InvalidOperationException(installed.Message);
            }

            await Task.Delay(1000); // past the start: what a supervisor holds while its guest runs
            result = replicas == 1 ? (Measure("mem"), 0, 10) : (result.Item1, Measure("mem") / replicas, replicas);
            await platform.Vm.DeleteAsync(request, CancellationToken.None);
        }

        return result;
    }

    // The workload is python3 (what the guest runs), and everything under it.
    private static bool Workload(int pid) => File.Exists($"/proc/{pid}/comm") && File.ReadAllText($"/proc/{pid}/comm").Trim() == "python3";

    private static ModuleDefinition Module(string name, string restart, int replicas = 1) =>
        new(name, name + ".json", (JObject)JsonSource.Parse(name, Encoding.UTF8.GetBytes(
            "{\"vmid\": 400, \"zone0\": \"srvHome\", \"dependsOn\": [\"cluster:vm\"], \"config\": {\"cluster:vm\": {\"image\": \"x\", \"cores\": 1, \"memory\": 256, \"workload\": " +
            "{\"replicas\": " + replicas.ToString(CultureInfo.InvariantCulture) + ", \"command\": \"/usr/bin/python3\", \"args\": [\"-m\", \"http.server\", \"${port:http}\", \"--bind\", \"0.0.0.0\"], \"ports\": {\"http\": 8080}, " +
            "\"health\": {\"liveness\": {\"tcp\": {\"port\": \"http\"}, \"interval\": \"100ms\", \"timeout\": \"500ms\"}, \"readiness\": {\"tcp\": {\"port\": \"http\"}, \"interval\": \"100ms\"}}, \"stopGrace\": \"1s\"" +
            restart + "}}}}")).Root!);

    private static ProviderRequest Request(SiteLayout layout, string root, ModuleDefinition module) =>
        new(module, ServiceRef.Parse("cluster:vm"), Path.Combine(root, "module"), layout.Root, HookFlags.None);

    private static async Task<bool> AcceptsAsync(IPAddress address, int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(address, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
