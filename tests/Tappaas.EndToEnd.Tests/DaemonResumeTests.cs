using System.Text.Json;
using Tappaas.TestUtilities;

namespace Tappaas.EndToEnd.Tests;

/// <summary>A run a crash interrupted is finished by the daemon when it starts, without anyone typing another command.</summary>
public sealed class DaemonResumeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_daemon_finishes_a_run_a_crash_interrupted_by_itself_when_it_starts()
    {
        using var fx = new SiteFixture();
        await fx.InitAsync();
        var crashed = await Cli.RunAsync(fx.Site, new Dictionary<string, string> { ["TAPPAAS_CRASH_AFTER_JOURNAL"] = "4" }, "install", "cluster", "db");
        Assert.NotEqual(0, crashed.Code);
        Assert.Equal("running", await LastRunAsync(fx.Site));

        var listen = $"http://127.0.0.1:{SiteHttps.FreePort()}";
        var (daemon, _) = await Daemon.StartAsync(fx.Site, listen, Ct);
        try
        {
            var status = "running";
            for (var i = 0; i < 300 && status == "running"; i++)
            {
                await Task.Delay(100, Ct);
                status = await LastRunAsync(fx.Site);
            }

            Assert.Equal("succeeded", status);
            var (code, output) = await Cli.RunAsync(fx.Site, "status", "--json", "--local");
            Assert.True(code == 0, output);
            var modules = JsonDocument.Parse(output).RootElement.GetProperty("modules").EnumerateArray().Select(m => m.GetProperty("name").GetString()).Order().ToList();
            Assert.Equal(["cluster", "db"], modules);
            var events = await Cli.RunAsync(fx.Site, "events", "--json", "--local");
            Assert.Contains("\"resumed\"", events.Output, StringComparison.Ordinal);
        }
        finally
        {
            daemon.Kill();
            await daemon.WaitForExitAsync(Ct);
        }
    }

    /// <summary>The newest run's status, read in-process (reading changes nothing).</summary>
    private static async Task<string> LastRunAsync(string site)
    {
        var (code, output) = await Cli.RunAsync(site, "status", "--json", "--local");
        Assert.True(code == 0, output);
        return JsonDocument.Parse(output).RootElement.GetProperty("runs").EnumerateArray().First().GetProperty("status").GetString()!;
    }
}
