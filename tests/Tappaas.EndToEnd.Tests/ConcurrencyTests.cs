namespace Tappaas.EndToEnd.Tests;

/// <summary>Two processes apply to one site at once: exactly one proceeds; the other is told who holds the lock.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Concurrent_apply_exactly_one_proceeds()
    {
        using var fx = new SiteFixture();
        await fx.InitAsync();
        Assert.Equal(0, (await Cli.RunAsync(fx.Site, "install", "cluster")).Code);
        Directory.CreateDirectory(Path.Combine(fx.Site, "fake"));
        File.WriteAllText(Path.Combine(fx.Site, "fake", "script.json"), """{"rules": [{"operation": "install", "delayMs": 6000}]}""");

        // The second starts once the first holds the lock (on a busy machine a second process started at the same
        // time could otherwise begin after the first one's run had ended, and find nothing to wait for).
        var first = Cli.RunAsync(fx.Site, "install", "db");
        for (var i = 0; i < 300 && SiteFixture.LockOwner(fx.Site) is null && !first.IsCompleted; i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.NotNull(SiteFixture.LockOwner(fx.Site));
        var second = Cli.RunAsync(fx.Site, "install", "db");
        var results = await Task.WhenAll(first, second);

        Assert.Single(results, r => r.Code == 0);
        var loser = Assert.Single(results, r => r.Code != 0);
        Assert.Equal(1, loser.Code);
        Assert.True(loser.Output.Contains($"the site is locked by {Environment.MachineName}:", StringComparison.Ordinal), loser.Output);
        Assert.Contains("(install)", loser.Output, StringComparison.Ordinal);
        Assert.Equal(["tappaas-db--cluster-vm"], fx.FakeObjects());
    }
}
