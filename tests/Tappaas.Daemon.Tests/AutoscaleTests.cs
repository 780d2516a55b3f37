using System.Security.Cryptography.X509Certificates;
using Tappaas.Client;
using Tappaas.Daemon.Scaling;
using Tappaas.Model.Resolved;
using Tappaas.TestUtilities;

namespace Tappaas.Daemon.Tests;

/// <summary>Autoscaling: the decision rules with a manual clock, and the daemon scaling a module under proxied load and back.</summary>
[Collection(nameof(SteadyLoadCollection))]
public sealed class AutoscaleTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AutoscalePolicy Rps(int min = 1, int max = 5) => new()
    {
        Min = min, Max = max, Metric = "rps", Target = 50, ScaleUpWindow = TimeSpan.FromSeconds(30), ScaleDownWindow = TimeSpan.FromSeconds(60),
    };

    [Fact]
    public void A_spike_shorter_than_the_scale_up_window_changes_nothing_a_sustained_load_scales_up_to_the_smallest_recommendation()
    {
        var decider = new AutoscaleDecider(Rps());
        Assert.Null(decider.Observe(s_t0, 2, 40)); // below target: recommends 2
        Assert.Null(decider.Observe(s_t0.AddSeconds(10), 2, 200)); // a spike: recommends 5
        Assert.Null(decider.Observe(s_t0.AddSeconds(20), 2, 40));
        for (var t = 30; t <= 60; t += 10)
        {
            var decision = decider.Observe(s_t0.AddSeconds(t), 2, t == 40 ? 90 : 80); // recommends 4, then 4
            if (t < 60)
            {
                Assert.Null(decision);
            }
            else
            {
                Assert.NotNull(decision);
                Assert.Equal((2, 4), (decision.From, decision.To));
                Assert.Contains("rps per replica 80 requests/s (from 80 to 90) stayed above the target 50 requests/s for 30 s", decision.Reason, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Scaling_down_waits_for_the_whole_down_window_and_alternating_load_does_not_flap()
    {
        var decider = new AutoscaleDecider(Rps());
        for (var t = 0; t <= 300; t += 10)
        {
            Assert.Null(decider.Observe(s_t0.AddSeconds(t), 3, t % 20 == 0 ? 10 : 70)); // recommends 1, then 5, then 1 ...
        }

        var quiet = new AutoscaleDecider(Rps());
        ScaleDecision? down = null;
        for (var t = 0; t <= 60 && down is null; t += 10)
        {
            down = quiet.Observe(s_t0.AddSeconds(t), 4, t == 30 ? 30 : 10); // recommends 1, except 3 once
        }

        Assert.Equal((4, 3), (down!.From, down.To)); // to the largest recommendation of the window
        Assert.Contains("below the target", down.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Replicas_outside_min_and_max_are_brought_inside_at_once()
    {
        var decision = new AutoscaleDecider(Rps(min: 2, max: 3)).Observe(s_t0, 1, 0);
        Assert.Equal((1, 2), (decision!.From, decision.To));
        Assert.Contains("outside autoscale.min..max (2..3)", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_daemon_scales_a_module_up_under_load_and_back_down_when_it_stops_each_an_event_with_its_metric()
    {
        var (https, http) = (SiteHttps.FreePort(), SiteHttps.FreePort());
        await using var h = await DaemonHarness.StartAsync(("d6", 110), (https, http), embedded: true);
        h.Release("cluster", """{"description": "guests", "version": "1.0", "provides": ["vm"]}""");
        h.Release("firewall", """{"description": "firewall", "version": "1.0", "provides": ["rules", "dns", "proxy"]}""");
        h.Release("web", """
            {"description": "web", "version": "1.0", "vmid": 496, "zone0": "srvHome", "proxyDomain": "web.example.org", "proxyPort": 8080, "proxyAllowedZones": ["mgmt"],
             "dependsOn": ["cluster:vm", "firewall:proxy"], "config": {"cluster:vm": {"image": "none", "memory": 512, "cores": 1, "workload": {
               "command": "/usr/bin/python3", "args": ["-m", "http.server", "${port:http}", "--directory", "/etc/ssl"], "ports": {"http": 8080},
               "health": {"readiness": {"tcp": {"port": "http"}, "interval": "100ms"}}, "stopGrace": "1s",
               "update": {"minHealthyTime": "200ms", "drainTime": "500ms"},
               "autoscale": {"min": 1, "max": 3, "metric": "rps", "target": 20, "scaleUpWindow": "2s", "scaleDownWindow": "3s"}}}}}
            """);
        using var api = h.Api(h.AdminToken);
        var installed = await api.InstallAsync(["cluster", "firewall", "web"], false, Ct);
        Assert.True(installed.Ok, installed.Problem?.ToString() + string.Join("; ", installed.Problem?.Diagnostics.Select(d => d.Message) ?? []));
        var autoscaler = h.Service<Autoscaler>();
        var runtime = h.Embedded.Runtime;
        try
        {
            using var root = X509Certificate2.CreateFromPem(await h.Client().GetStringAsync("/api/v1/ca.crt", Ct));
            using var client = SiteHttps.Client(https, root);
            var proxy = h.Service<Proxy.ProxyProcess>();
            for (var i = 0; i < 50 && (await proxy.RoutesAsync(Ct)).FirstOrDefault(r => r.Module == "web")?.Guests.Count != 1; i++)
            {
                await Task.Delay(100, Ct);
            }

            await using (new SteadyLoad(client, new Uri("https://web.example.org/"), 100))
            {
                await AutoscaleSampling.UntilAsync(autoscaler, () => runtime.GuestsOf("web").Count == 3, TimeSpan.FromSeconds(30), Ct);
            }

            await AutoscaleSampling.UntilAsync(autoscaler, () => runtime.GuestsOf("web").Count == 1, TimeSpan.FromSeconds(30), Ct);
            var events = (await api.EventsAsync(0, 1000, Ct)).Value!.Where(e => e.Kind == "autoscaled").ToList();
            // Up to 3 and back to 1, each step naming the metric; a loaded machine may take a step in two (1 -> 2 -> 3),
            // but never back and forth: every scale up comes before every scale down.
            var steps = events.Select(e => System.Text.RegularExpressions.Regex.Match(e.Message, @"^(\d+) -> (\d+) replicas: rps per replica .* stayed (above|below) the target 20 ")).ToList();
            Assert.All(steps, m => Assert.True(m.Success, string.Join(" | ", events.Select(e => e.Message))));
            var moves = steps.Select(m => (From: int.Parse(m.Groups[1].Value), To: int.Parse(m.Groups[2].Value), Up: m.Groups[3].Value == "above")).ToList();
            var ups = moves.TakeWhile(m => m.Up).ToList();
            var downs = moves.Skip(ups.Count).ToList();
            Assert.True(ups.Count > 0 && downs.Count > 0 && downs.All(m => !m.Up), string.Join(" | ", events.Select(e => e.Message)));
            Assert.Equal((1, 3), (ups[0].From, ups[^1].To));
            Assert.Equal((3, 1), (downs[0].From, downs[^1].To));
            Assert.All(ups, m => Assert.True(m.To > m.From));
            Assert.All(downs, m => Assert.True(m.To < m.From));
            Assert.Contains((await api.HistoryAsync("web", Ct)).Value!, r => r.Reason == $"scale from 1 to {ups[0].To} replicas");
        }
        finally
        {
            await api.DeleteAsync("web", remove: true, force: false, CancellationToken.None);
        }
    }
}
