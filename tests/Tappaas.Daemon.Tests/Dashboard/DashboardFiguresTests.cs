using System.Globalization;
using Microsoft.Playwright;

namespace Tappaas.Daemon.Tests.Dashboard;

/// <summary>
/// The overview of a site with 100 modules, measured in the browser: its first contentful paint on each of 5 fresh
/// loads (printed; the issue's target is under 500 ms), and that every module is on it.
/// </summary>
public sealed class DashboardFiguresTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_overview_of_100_modules_lists_them_all_and_its_first_contentful_paint_is_printed()
    {
        await using var chromium = await Chromium.StartAsync();
        await using var h = await DaemonHarness.StartAsync(listenOn: chromium.HostAddress);
        h.Release("cluster", """{"description": "cluster", "version": "1.0", "provides": ["vm"]}""");
        var names = Enumerable.Range(0, 100).Select(i => $"app{i:000}").ToList();
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            h.Release(name, $$"""{"description": "{{name}}", "version": "1.0", "vmid": {{700 + i}}, "zone0": "srvHome", "dependsOn": ["cluster:vm"], "config": """ +
                """{"cluster:vm": {"image": "8080", "cores": 1}}}""");
        }

        using var api = h.Api(h.AdminToken);
        var installed = await api.InstallAsync(["cluster", .. names], false, Ct);
        Assert.True(installed.Ok, installed.Problem?.ToString());

        var paints = new List<double>();
        for (var round = 0; round < 6; round++)
        {
            var page = await chromium.PageAsync(h.Address!);
            await DashboardSignInTests.SignInAsync(page, h.AdminToken); // lands on the overview: a fresh page load
            await Assertions.Expect(page.Locator("tr[data-module]")).ToHaveCountAsync(101);
            // The paint entry is queued after the frame that painted: wait for it (5 s at most) rather than expect it now.
            var fcp = await page.EvaluateAsync<double>("""
                () => new Promise(resolve => {
                  new PerformanceObserver(list => { const e = list.getEntriesByName('first-contentful-paint')[0]; if (e) resolve(e.startTime); })
                    .observe({ type: 'paint', buffered: true });
                  setTimeout(() => resolve(-1), 5000); })
                """);
            Assert.True(fcp > 0, "the browser recorded no first contentful paint");
            if (round > 0)
            {
                paints.Add(fcp); // the first round warms the daemon's code paths and the browser's cache of the scripts
            }

            await page.Context.CloseAsync();
        }

        paints.Sort();
        var line = $"overview of 100 modules: first contentful paint {string.Join(", ", paints.Select(p => p.ToString("0", CultureInfo.InvariantCulture)))} ms (median {paints[2]:0} ms; target < 500 ms)";
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Console.WriteLine(line);
    }
}
