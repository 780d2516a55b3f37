using System.Diagnostics;

namespace Tappaas.EndToEnd.Tests;

/// <summary>
/// Kills the CLI with SIGKILL at many points of a multi-module install, an update and a delete — chosen by journal
/// line (before and after every step) and by time — then restarts it and checks the site converges: every module in
/// its desired state, no orphaned provider object or hook marker, every config file whole and equal to the state
/// store, and a journal that shows the interrupted run finished after the restart.
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper log)
{
    private static readonly string[] s_all = ["cluster", "db", "web"];

    [Fact]
    public async Task Site_converges_after_a_kill_at_any_point()
    {
        using var fx = new SiteFixture();
        await fx.InitAsync();
        var template = fx.Site;
        var survived = 0;

        // Install: every journal line of a 3-module install (12 steps, 24 lines) plus one past the end.
        for (var n = 1; n <= 25; n++)
        {
            var site = await CopyAsync(template, $"install-{n}");
            var killed = await KillAtAsync(site, n, "install", "cluster", "db", "web");
            await RecoverAsync(fx, site, installMissing: true);
            AssertInstalled(fx, site, webCores: 2, webRevision: 1);
            survived += killed ? 1 : 0;
        }

        var installed = await CopyAsync(template, "installed");
        Assert.Equal(0, (await Cli.RunAsync(installed, "install", "cluster", "db", "web")).Code);

        // Update of web to a new release: 9 steps, 18 lines.
        fx.WebRelease(cores: 4);
        for (var n = 1; n <= 19; n++)
        {
            var site = await CopyAsync(installed, $"update-{n}");
            var killed = await KillAtAsync(site, n, "update", "web");
            await RecoverAsync(fx, site, installMissing: false);
            if (SiteFixture.Modules_(site)["web"].Revision == 1)
            {
                Assert.Equal(0, (await Cli.RunAsync(site, "update", "web")).Code); // killed before the run was journalled
            }

            AssertInstalled(fx, site, webCores: 4, webRevision: 2);
            survived += killed ? 1 : 0;
        }

        // Delete --remove of web: 4 steps, 8 lines.
        for (var n = 1; n <= 8; n++)
        {
            var site = await CopyAsync(installed, $"delete-{n}");
            var killed = await KillAtAsync(site, n, "delete", "web", "--remove", "--yes");
            await RecoverAsync(fx, site, installMissing: false);
            if (SiteFixture.Modules_(site).ContainsKey("web"))
            {
                Assert.Equal(0, (await Cli.RunAsync(site, "delete", "web", "--remove", "--yes")).Code);
            }

            Assert.False(SiteFixture.Modules_(site).ContainsKey("web"));
            Assert.Equal(["tappaas-db--cluster-vm"], fx.FakeObjects(site));
            Assert.Empty(fx.SqlMarkers(site));
            Assert.False(File.Exists(Path.Combine(site, "config", "web.json")));
            survived += killed ? 1 : 0;
        }

        // By time: a slow install killed at pseudo-random moments.
        var random = new Random(1234);
        for (var i = 0; i < 12; i++)
        {
            var site = await CopyAsync(template, $"timed-{i}");
            Directory.CreateDirectory(Path.Combine(site, "fake"));
            File.WriteAllText(Path.Combine(site, "fake", "script.json"), """{"rules": [{"delayMs": 500}]}""");
            using var p = Cli.Start(site, null, "install", "cluster", "db", "web");
            await Task.Delay(random.Next(150, 1800), TestContext.Current.CancellationToken);
            var killed = !p.HasExited;
            if (killed)
            {
                p.Kill();
            }

            await p.WaitForExitAsync(TestContext.Current.CancellationToken);
            File.Delete(Path.Combine(site, "fake", "script.json"));
            await RecoverAsync(fx, site, installMissing: true);
            AssertInstalled(fx, site, webCores: 4, webRevision: 1);
            survived += killed ? 1 : 0;
        }

        log.WriteLine($"crash kill points survived: {survived}");
        Assert.True(survived >= 50, $"only {survived} kill points were exercised");
    }

    private static async Task<bool> KillAtAsync(string site, int journalLine, params string[] args)
    {
        var (code, output) = await Cli.RunAsync(site, new Dictionary<string, string> { ["TAPPAAS_CRASH_AFTER_JOURNAL"] = journalLine.ToString(System.Globalization.CultureInfo.InvariantCulture) }, args);
        Assert.True(code is 0 or 137, $"exit {code}: {output}");
        return code == 137;
    }

    private static async Task RecoverAsync(SiteFixture fx, string site, bool installMissing)
    {
        var (code, output) = await Cli.RunAsync(site, "resume");
        Assert.True(code == 0, output);
        Assert.DoesNotContain(SiteFixture.Runs(site), r => r.Status == "running");
        foreach (var run in SiteFixture.Runs(site))
        {
            var journal = SiteFixture.Journal(site, run.Id);
            var steps = journal.Select(j => j.Step).Distinct();
            Assert.All(steps, s => Assert.Contains(journal, j => j.Step == s && j.Phase is "completed" or "undone"));
        }

        if (installMissing)
        {
            var missing = s_all.Where(m => !SiteFixture.Modules_(site).ContainsKey(m)).ToArray();
            if (missing.Length > 0)
            {
                var again = await Cli.RunAsync(site, ["install", .. missing]);
                Assert.True(again.Code == 0, again.Output);
            }
        }

        _ = fx;
    }

    private static void AssertInstalled(SiteFixture fx, string site, int webCores, int webRevision)
    {
        var modules = SiteFixture.Modules_(site);
        Assert.Equal(s_all, modules.Keys.Order(StringComparer.Ordinal));
        Assert.All(modules.Values, m => Assert.Equal("installed", m.Status));
        Assert.Equal(webRevision, modules["web"].Revision);
        Assert.Contains($"\"cores\": {webCores}", modules["web"].Definition, StringComparison.Ordinal);
        Assert.Equal(["tappaas-db--cluster-vm", "tappaas-web--cluster-vm"], fx.FakeObjects(site));
        Assert.Equal(["web"], fx.SqlMarkers(site));
        foreach (var (name, m) in modules)
        {
            var file = Path.Combine(site, "config", name + ".json");
            Assert.True(SiteFixture.ValidJson(file), $"{file} is not whole");
            Assert.Equal(m.Definition, File.ReadAllText(file));
            Assert.True(File.Exists(file + ".orig"));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(site, "config"), "*.tmp"));
    }

    private static async Task<string> CopyAsync(string from, string name)
    {
        var to = Path.Combine(Path.GetDirectoryName(from)!, name);
        var (code, output) = await Tappaas.TestUtilities.ProcessRunner.RunAsync("cp", ["-a", from, to]);
        Assert.True(code == 0, output);
        return to;
    }
}
