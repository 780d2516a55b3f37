using System.Security.Cryptography.X509Certificates;
using System.Text;
using Tappaas.Abstractions.Providers;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.TestUtilities;

namespace Tappaas.Daemon.Tests;

/// <summary>
/// Zero-downtime changes under steady load through the daemon's proxy: a rolling update of 3 replicas, a crash of one,
/// a scale from 3 to 1 and back, and an update whose new revision never gets healthy (reverted) — each with 0 failed
/// requests; and canaries that serve beside the old revision until promoted.
/// </summary>
[Collection(nameof(SteadyLoadCollection))]
public sealed class RolloutTests
{
    private const int PerSecond = 200;

    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rolling_update_crash_scale_and_a_reverted_update_fail_no_request_under_load()
    {
        await using var site = await Site.StartAsync(("d4", 230));
        await site.ApplyAsync(App("v1", replicas: 3));
        await using var load = await site.LoadAsync();

        var surged = 0;
        var update = await load.DuringAsync(async () => surged = await site.PeakRunningAsync(() => site.ApplyAsync(App("v2", replicas: 3))), s_settle);
        Report("rolling update v1 -> v2 (3 replicas)", update, load);
        Assert.Equal(4, surged); // maxSurge defaults to maxParallel (1): a new guest starts beside the three old ones
        Assert.Equal(["v2"], load.TakeBodies().Keys.Where(k => k != "v1"));
        Assert.Equal(3, site.Guests().Count);
        Assert.All(site.Guests(), g => Assert.Equal("v2", site.Platform.Runtime.Spec(g)!.Env["APP_VERSION"]));

        var victim = site.Guests()[1];
        var crash = await load.DuringAsync(async () =>
        {
            System.Diagnostics.Process.GetProcessById(site.Platform.Runtime.State(victim)!.WorkloadPid).Kill();
            await Task.Delay(TimeSpan.FromSeconds(3), Ct); // the supervisor restarts it meanwhile
        }, s_settle);
        Report($"kill -9 of {victim}", crash, load);
        Assert.Equal(1, site.Platform.Runtime.State(victim)!.Restarts);

        var down = await load.DuringAsync(() => site.ApplyAsync(App("v2", replicas: 1)), s_settle);
        Report("scale 3 -> 1", down, load);
        Assert.Single(site.Guests());
        var up = await load.DuringAsync(() => site.ApplyAsync(App("v2", replicas: 3)), s_settle);
        Report("scale 1 -> 3", up, load);
        Assert.Equal(3, site.Guests().Count);

        var before = site.Guests();
        OperationResult? failed = null;
        var broken = await load.DuringAsync(async () => failed = await site.TryApplyAsync(App("v3", replicas: 3, healthPath: "/missing", deadline: "3s", memory: 200)), s_settle);
        Report("update to a revision that never gets healthy (reverted)", broken, load);
        Assert.False(failed!.Succeeded);
        Assert.Contains("reverted", failed.Message, StringComparison.Ordinal);
        Assert.Equal(before, site.Guests());
        Assert.Equal(["v2"], load.TakeBodies().Keys);
        foreach (var spec in site.Guests().Select(g => site.Platform.Runtime.Spec(g)!).Where(s => s.CgroupMode == Platform.Embedded.Guests.Cgroups.CgroupMode.V1))
        {
            // The old guests kept their own limits while the new revision (less memory) was tried beside them.
            Assert.Equal($"{256L * 1024 * 1024}", File.ReadAllText(Path.Combine(new Platform.Embedded.Guests.Cgroups.Cgroup(spec.CgroupMode, spec.CgroupName).Dirs[0], "memory.limit_in_bytes")).Trim());
        }

        // maxSurge 0: each old guest is drained and stopped before its replacement starts, never four running at once.
        var peak = 0;
        var tight = await load.DuringAsync(async () => peak = await site.PeakRunningAsync(() => site.ApplyAsync(App("v4", replicas: 3, surge: 0))), s_settle);
        Report("rolling update v2 -> v4 with maxSurge 0", tight, load);
        Assert.Equal(3, peak);
        Assert.Equal(3, site.Guests().Count);
        Assert.All(site.Guests(), g => Assert.Equal("v4", site.Platform.Runtime.Spec(g)!.Env["APP_VERSION"]));

        var metrics = await site.MetricsAsync();
        // Whether the crash cost any retry depends on timing (the supervisor takes a dead guest out of the rotation within
        // milliseconds); the retries themselves are GuestForwarderTests'. Here: counted per module, and not one 5xx.
        Assert.Matches("tappaas_proxy_retries_total\\{module=\"web\"\\} [0-9]+", metrics);
        Assert.Matches("tappaas_proxy_requests_total\\{module=\"web\"\\} [1-9][0-9]{3}", metrics);
        Assert.Contains("tappaas_proxy_server_errors_total{module=\"web\"} 0", metrics, StringComparison.Ordinal);

        foreach (var phase in new[] { update, crash, down, up, broken, tight })
        {
            Assert.True(phase.Sent > 100, $"the load did not run: {phase}");
            Assert.True(phase.Failed == 0, $"{phase.Failed} of {phase.Sent} requests failed: {load.Failures}\nphases:\n{string.Join('\n', _phases)}");
        }
    }

    [Fact]
    public async Task Canaries_serve_beside_the_old_revision_until_promoted()
    {
        await using var site = await Site.StartAsync(("d5", 240));
        await site.ApplyAsync(App("v1", replicas: 2));
        await using var load = await site.LoadAsync();

        var canary = await load.DuringAsync(() => site.ApplyAsync(App("v2", replicas: 2, canary: 1)), TimeSpan.FromSeconds(3));
        Assert.Equal(3, site.Guests().Count); // two old, one canary
        var share = load.TakeBodies();
        Assert.True(share.GetValueOrDefault("v1") > 0 && share.GetValueOrDefault("v2") > 0, string.Join(", ", share));

        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        load.TakeBodies();
        var promote = await load.DuringAsync(() => site.ApplyAsync(App("v2", replicas: 2, canary: 1), HookFlags.None with { Promote = true }), s_settle);
        Assert.Equal(2, site.Guests().Count);
        Assert.All(site.Guests(), g => Assert.Equal("v2", site.Platform.Runtime.Spec(g)!.Env["APP_VERSION"]));
        Assert.Equal(0, canary.Failed + promote.Failed);
    }

    private readonly List<string> _phases = [];

    private void Report(string phase, (long Sent, long Ok, long Failed) counts, SteadyLoad load)
    {
        var line = $"{phase}: {counts.Sent} requests at {PerSecond}/s, {counts.Ok} ok, {counts.Failed} failed, slowest {load.TakeSlowest().TotalMilliseconds:0} ms {(counts.Failed > 0 ? load.Failures : "")}";
        _phases.Add(line);
        TestContext.Current.TestOutputHelper?.WriteLine(line);
    }

    /// <summary>A small HTTP application that answers its version; its health path can be broken on purpose.</summary>
    private static ModuleDefinition App(string version, int replicas, string healthPath = "/health", string deadline = "30s", int canary = 0, int memory = 256, int? surge = null) =>
        new("web", "web.json", (JObject)JsonSource.Parse("web", Encoding.UTF8.GetBytes(
            "{\"vmid\": 495, \"zone0\": \"srvHome\", \"proxyDomain\": \"web.example.org\", \"proxyPort\": 8080, \"proxyAllowedZones\": [\"mgmt\"]" +
            ", \"dependsOn\": [\"cluster:vm\", \"firewall:proxy\"], \"config\": {\"cluster:vm\": {\"image\": \"x\", \"memory\": " + memory + ", \"cores\": 1, " +
            "\"workload\": {\"replicas\": " + replicas + ", \"command\": \"/usr/bin/python3\", \"args\": [\"-u\", \"app.py\"], \"env\": {\"APP_VERSION\": \"" + version + "\"}, \"ports\": {\"http\": 8080}, " +
            "\"health\": {\"readiness\": {\"http\": {\"port\": \"http\", \"path\": \"" + healthPath + "\"}, \"interval\": \"100ms\"}}, \"stopGrace\": \"2s\", " +
            "\"restart\": {\"delay\": \"100ms\", \"jitter\": 0}, " +
            "\"update\": {\"maxParallel\": 1, " + (surge is { } n ? $"\"maxSurge\": {n}, " : "") + "\"minHealthyTime\": \"500ms\", \"healthyDeadline\": \"" + deadline + "\", \"drainTime\": \"1s\", \"canary\": " + canary + "}}}}}")).Root!);

    /// <summary>A daemon with its proxy on a site of its own, the app's folder, and a client of the proxy that trusts the site CA.</summary>
    private sealed class Site : IAsyncDisposable
    {
        private DaemonHarness _h = null!;
        private int _https;
        private X509Certificate2? _root;
        private HttpClient? _client;

        public Platform.Embedded.EmbeddedPlatform Platform => _h.Embedded;

        public static async Task<Site> StartAsync((string Tag, int Offset) instance)
        {
            var site = new Site { _https = SiteHttps.FreePort() };
            site._h = await DaemonHarness.StartAsync(instance, (site._https, SiteHttps.FreePort()));
            File.WriteAllText(Path.Combine(site._h.Repository, "app.py"), VersionApp.Script);
            return site;
        }

        public IReadOnlyList<string> Guests() => Platform.Runtime.GuestsOf("web");

        /// <summary>The most guests running at once (sampled every 20 ms) while <paramref name="action"/> runs.</summary>
        public async Task<int> PeakRunningAsync(Func<Task> action)
        {
            var peak = 0;
            var work = action();
            while (!work.IsCompleted)
            {
                peak = Math.Max(peak, Guests().Count(g => Platform.Runtime.State(g) is { Status: "running" }));
                await Task.WhenAny(work, Task.Delay(20, Ct));
            }

            await work;
            return peak;
        }

        public Task<string> MetricsAsync() => _h.Client(_h.AdminToken).GetStringAsync("/metrics", Ct);

        public async Task ApplyAsync(ModuleDefinition module, HookFlags? flags = null)
        {
            var result = await TryApplyAsync(module, flags);
            Assert.True(result.Succeeded, result.Message);
        }

        public async Task<OperationResult> TryApplyAsync(ModuleDefinition module, HookFlags? flags = null)
        {
            // As the engine stages it: atomically (the proxy reads the site's module files while this runs).
            File.WriteAllText(_h.Layout.ModuleFile(module.Name) + ".tmp", JsonText.Write(module.Root));
            File.Move(_h.Layout.ModuleFile(module.Name) + ".tmp", _h.Layout.ModuleFile(module.Name), overwrite: true);
            return await Platform.Vm.UpdateAsync(new ProviderRequest(module, ServiceRef.Parse("cluster:vm"), _h.Repository, _h.Layout.Root, flags ?? HookFlags.None), Ct);
        }

        /// <summary>Steady load on the app through the proxy, once the proxy routes to every guest.</summary>
        public async Task<SteadyLoad> LoadAsync()
        {
            _root = X509Certificate2.CreateFromPem(await _h.Client().GetStringAsync("/api/v1/ca.crt", Ct));
            _client = SiteHttps.Client(_https, _root);
            var proxy = _h.Service<Proxy.ProxyProcess>();
            for (var i = 0; i < 100 && (await proxy.RoutesAsync(Ct)).FirstOrDefault(r => r.Module == "web")?.Guests.Count != Guests().Count; i++)
            {
                await Task.Delay(100, Ct);
            }

            Assert.Equal("v1", (await _client.GetStringAsync("https://web.example.org/", Ct)).Trim());
            return new SteadyLoad(_client, new Uri("https://web.example.org/"), PerSecond);
        }

        public async ValueTask DisposeAsync()
        {
            await Platform.Vm.DeleteAsync(new ProviderRequest(App("v1", 1), ServiceRef.Parse("cluster:vm"), _h.Repository, _h.Layout.Root, HookFlags.None), CancellationToken.None);
            _client?.Dispose();
            _root?.Dispose();
            await _h.DisposeAsync();
        }
    }
}
