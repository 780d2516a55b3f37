using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Tappaas.Abstractions.Guests;
using Tappaas.Composition;
using Tappaas.Engine.Site;
using Tappaas.Model.Resolved;
using Tappaas.TestUtilities;

namespace Tappaas.Daemon.Tests;

/// <summary>One platform's failure is contained: the others are recovered in the same cycle, and the failing one backs off, doubling.</summary>
public sealed class ReconcilerBackOffTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_failing_platform_backs_off_doubling_while_the_others_are_recovered_every_cycle()
    {
        using var dir = new TempDir();
        var layout = new SiteLayout(Path.Combine(dir.Path, "site"));
        SiteInitializer.Initialize(layout, "example.org", new Dictionary<string, string> { ["cluster:*"] = "fake" }, []);
        var clock = new ManualClock(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var broken = new Recovery("broken", fail: true);
        var healthy = new Recovery("healthy", fail: false);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddTappaasSite(layout.Root);
        services.AddSingleton<IGuestRecovery>(broken).AddSingleton<IGuestRecovery>(healthy);
        await using var provider = services.BuildServiceProvider();
        var site = provider.GetRequiredService<SiteSession>();
        await site.Store.MigrateAsync(Ct);
        var interval = TimeSpan.FromSeconds(10);
        var reconciler = new Reconciler(site, new DaemonOptions(layout.Root, "http://127.0.0.1:0", interval), clock, NullLogger<Reconciler>.Instance);

        Assert.Equal(["healthy-0"], await reconciler.RunOnceAsync(Ct)); // the broken platform threw; the healthy one still ran
        Assert.Equal((1, 1), (broken.Calls, healthy.Calls));
        await reconciler.RunOnceAsync(Ct);
        Assert.Equal((1, 2), (broken.Calls, healthy.Calls)); // backing off for one interval

        clock.Advance(interval);
        await reconciler.RunOnceAsync(Ct);
        Assert.Equal((2, 3), (broken.Calls, healthy.Calls)); // tried again, failed again: now two intervals
        clock.Advance(interval);
        await reconciler.RunOnceAsync(Ct);
        Assert.Equal((2, 4), (broken.Calls, healthy.Calls));
        clock.Advance(interval);
        broken.Fail = false;
        Assert.Equal(["broken-0", "healthy-0"], (await reconciler.RunOnceAsync(Ct)).Order(StringComparer.Ordinal));
        await reconciler.RunOnceAsync(Ct);
        Assert.Equal((4, 6), (broken.Calls, healthy.Calls)); // a success forgets the back-off
        Assert.True(BackOff.Max >= interval * 16);
    }

    private sealed class Recovery(string name, bool fail) : IGuestRecovery
    {
        public bool Fail { get; set; } = fail;

        public int Calls { get; private set; }

        public string Provider => name;

        public Task<IReadOnlyList<GuestRecovered>> RecoverAsync(IReadOnlyList<ResolvedModule> installed, CancellationToken cancellationToken)
        {
            Calls++;
            return Fail ? throw new IOException($"{name}: the platform's API did not answer")
                : Task.FromResult<IReadOnlyList<GuestRecovered>>([new GuestRecovered("m", $"{name}-0", "test")]);
        }
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
