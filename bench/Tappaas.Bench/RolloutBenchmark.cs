using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Tappaas.Abstractions.Providers;
using Tappaas.Composition;
using Tappaas.Daemon;
using Tappaas.Engine.Site;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.TestUtilities;

namespace Tappaas.Bench;

/// <summary>
/// Zero downtime under steady load: 200 requests/s through the daemon's proxy (HTTPS, site CA) to a module with 3
/// replicas for the whole run (default 60 s), while it goes through a rolling update, a kill -9 of one replica, a scale
/// from 3 to 1 and back, and an update whose new revision never gets healthy (reverted). Prints the requests sent,
/// answered and failed in each phase and in total; the target is 0 failed everywhere.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class RolloutBenchmark
{
    private const int PerSecond = 200;
    private const string Host = "web.tappaas.internal";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 1 && args[0] == "--seconds" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60;
        var root = Path.Combine("/var/tmp", "tappaas-bench-rollout-" + Guid.NewGuid().ToString("N")[..8]);
        var layout = new SiteLayout(Path.Combine(root, "site"));
        var folder = Path.Combine(root, "module");
        SiteInitializer.Initialize(layout, "tappaas.internal", new Dictionary<string, string> { ["cluster:*"] = "embedded", ["firewall:*"] = "embedded" }, []);
        EmbeddedSites.Separate(layout.Root, "bo", 150);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "app.py"), VersionApp.Script);
        var (session, error) = await SiteSession.OpenAsync(layout.Root, CancellationToken.None);
        var platform = (session ?? throw new InvalidOperationException(error)).Services.GetRequiredService<Platform.Embedded.EmbeddedPlatform>();
        var https = Stats.FreePort();
        var daemon = await DaemonApp.BuildAsync(new DaemonOptions(layout.Root, $"http://127.0.0.1:{Stats.FreePort()}", Timeout.InfiniteTimeSpan, $"https://127.0.0.1:{https}",
            AutoscaleInterval: Timeout.InfiniteTimeSpan), TextWriter.Null, b => b.Logging.ClearProviders());
        try
        {
            await ApplyAsync(platform, layout, folder, App("v1", 3));
            await daemon.StartAsync();
            using var rootCert = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(layout.Root, "ca", "root.crt")));
            using var client = SiteHttps.Client(https, rootCert);
            await WaitServedAsync(client);

            Console.WriteLine($"rollout under load: {PerSecond} requests/s for {seconds} s through the proxy (HTTPS) to 3 replicas");
            var clock = Stopwatch.StartNew();
            var phases = new List<(string Name, (long Sent, long Ok, long Failed) Counts, double Seconds)>();
            var load = new SteadyLoad(client, new Uri($"https://{Host}/"), PerSecond);
            async Task Phase(string name, Func<Task> action)
            {
                var started = clock.Elapsed;
                phases.Add((name, await load.DuringAsync(action, TimeSpan.FromSeconds(1)), (clock.Elapsed - started).TotalSeconds));
            }

            await Phase("steady", () => Task.Delay(TimeSpan.FromSeconds(3)));
            await Phase("rolling update v1 -> v2", () => ApplyAsync(platform, layout, folder, App("v2", 3)));
            await Phase("kill -9 of one replica", async () =>
            {
                Process.GetProcessById(platform.Runtime.State(platform.Runtime.GuestsOf("web")[1])!.WorkloadPid).Kill();
                await Task.Delay(TimeSpan.FromSeconds(3));
            });
            await Phase("scale 3 -> 1", () => ApplyAsync(platform, layout, folder, App("v2", 1)));
            await Phase("scale 1 -> 3", () => ApplyAsync(platform, layout, folder, App("v2", 3)));
            await Phase("update that never gets healthy (reverted)", async () =>
            {
                var result = await TryApplyAsync(platform, layout, folder, App("v3", 3, healthPath: "/missing"));
                if (result.Succeeded || !result.Message.Contains("reverted", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"the broken update was not reverted: {result.Message}");
                }
            });
            var rest = TimeSpan.FromSeconds(seconds) - clock.Elapsed;
            await Phase("steady", () => Task.Delay(rest > TimeSpan.Zero ? rest : TimeSpan.Zero));
            await load.DisposeAsync();

            foreach (var (name, (sent, ok, failed), took) in phases)
            {
                Console.WriteLine($"  {name,-44} {took,5:0.0} s  {sent,6} sent  {ok,6} ok  {failed,4} failed");
            }

            var total = load.Counts;
            Console.WriteLine($"  {"total",-44} {clock.Elapsed.TotalSeconds,5:0.0} s  {total.Sent,6} sent  {total.Ok,6} ok  {total.Failed,4} failed   {(total.Failed == 0 ? "PASS" : "FAIL: " + load.Failures)}");
            return total.Failed == 0 ? 0 : 1;
        }
        finally
        {
            await daemon.StopAsync();
            await platform.Vm.DeleteAsync(Request(layout, folder, App("v1", 1)), CancellationToken.None);
            if (platform.Isolate)
            {
                await platform.Network.RemoveAsync(CancellationToken.None);
            }

            await session.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task ApplyAsync(Platform.Embedded.EmbeddedPlatform platform, SiteLayout layout, string folder, ModuleDefinition module)
    {
        var result = await TryApplyAsync(platform, layout, folder, module);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(result.Message);
        }
    }

    private static async Task<OperationResult> TryApplyAsync(Platform.Embedded.EmbeddedPlatform platform, SiteLayout layout, string folder, ModuleDefinition module)
    {
        File.WriteAllText(layout.ModuleFile(module.Name) + ".tmp", JsonText.Write(module.Root)); // atomically, as the engine stages it
        File.Move(layout.ModuleFile(module.Name) + ".tmp", layout.ModuleFile(module.Name), overwrite: true);
        return await platform.Vm.UpdateAsync(Request(layout, folder, module), CancellationToken.None);
    }

    private static ProviderRequest Request(SiteLayout layout, string folder, ModuleDefinition module) =>
        new(module, ServiceRef.Parse("cluster:vm"), folder, layout.Root, HookFlags.None);

    private static async Task WaitServedAsync(HttpClient client)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                if ((await client.GetAsync($"https://{Host}/")).IsSuccessStatusCode)
                {
                    await Task.Delay(1000); // every replica in the rotation
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the proxy did not serve the module within 10 s");
    }

    private static ModuleDefinition App(string version, int replicas, string healthPath = "/health") =>
        new("web", "web.json", (JObject)JsonSource.Parse("web", Encoding.UTF8.GetBytes(
            "{\"vmid\": 497, \"zone0\": \"srvHome\", \"proxyDomain\": \"" + Host + "\", \"proxyPort\": 8080, \"proxyAllowedZones\": [\"mgmt\"]" +
            ", \"dependsOn\": [\"cluster:vm\", \"firewall:proxy\"], \"config\": {\"cluster:vm\": {\"image\": \"x\", \"memory\": 256, \"cores\": 1, " +
            "\"workload\": {\"replicas\": " + replicas + ", \"command\": \"/usr/bin/python3\", \"args\": [\"-u\", \"app.py\"], \"env\": {\"APP_VERSION\": \"" + version + "\"}, " +
            "\"ports\": {\"http\": 8080}, \"health\": {\"readiness\": {\"http\": {\"port\": \"http\", \"path\": \"" + healthPath + "\"}, \"interval\": \"100ms\"}}, \"stopGrace\": \"2s\", " +
            "\"restart\": {\"delay\": \"100ms\", \"jitter\": 0}, \"update\": {\"minHealthyTime\": \"1s\", \"healthyDeadline\": \"5s\", \"drainTime\": \"2s\"}}}}}")).Root!);
}
