using Tappaas.Abstractions.Guests;
using Tappaas.Daemon.History;
using Tappaas.Daemon.Proxy;

namespace Tappaas.Daemon.Tests.Dashboard;

/// <summary>The charts' history: rates from counters between samples, sums per module, an hour kept, gone guests dropped.</summary>
public sealed class UsageHistoryTests
{
    private static readonly DateTimeOffset s_start = new(2026, 3, 4, 5, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Cpu_and_requests_become_rates_between_samples_and_a_module_sums_its_guests()
    {
        var history = new UsageHistory();
        history.Record(s_start, [Guest("web-0", cpu: 10, memoryMiB: 100), Guest("web-1", cpu: 20, memoryMiB: 50)], Requests(100));
        history.Record(s_start.AddSeconds(10), [Guest("web-0", cpu: 15, memoryMiB: 110), Guest("web-1", cpu: 21, memoryMiB: 60)], Requests(300));

        var (module, guests) = history.Of("web", ["web-1", "web-0"]);
        Assert.Equal(["web-0", "web-1"], guests.Select(g => g.Name));
        Assert.Equal([0.5], guests[0].Cpu.Select(p => p.Value)); // 5 CPU seconds in 10 s; the first sample has no rate yet
        Assert.Equal([0.1], guests[1].Cpu.Select(p => Math.Round(p.Value, 6)));
        Assert.Equal([100.0, 110.0], guests[0].MemoryMiB.Select(p => p.Value));
        Assert.Equal([150.0, 170.0], module!.MemoryMiB.Select(p => p.Value));
        Assert.Equal([20.0], module.RequestsPerSecond.Select(p => p.Value));
        Assert.Equal(s_start.AddSeconds(10), module.RequestsPerSecond[0].At);
    }

    [Fact]
    public void An_hour_is_kept_and_a_guest_that_is_gone_drops_out_an_hour_after_its_last_point()
    {
        var history = new UsageHistory();
        for (var i = 0; i <= 400; i++)
        {
            var guests = i < 10 ? new[] { Guest("web-0", cpu: i, memoryMiB: 100), Guest("web-1", cpu: i, memoryMiB: 100) } : [Guest("web-0", cpu: i, memoryMiB: 100)];
            history.Record(s_start.AddSeconds(10 * i), guests, Requests(i));
        }

        var (module, kept) = history.Of("web", ["web-0", "web-1"]);
        Assert.Equal(["web-0"], kept.Select(g => g.Name)); // web-1's last point was more than an hour ago
        Assert.Equal(360, kept[0].MemoryMiB.Count);
        Assert.Equal(s_start.AddSeconds(4000), kept[0].MemoryMiB[^1].At);
        Assert.True(module!.RequestsPerSecond.Count <= 360);
        Assert.All(module.RequestsPerSecond, p => Assert.Equal(0.1, p.Value, 6));
    }

    private static GuestSnapshot Guest(string name, double cpu, long memoryMiB) => new()
    {
        Provider = "embedded", Guest = name, Module = "web", Ready = true, CpuSeconds = cpu, MemoryBytes = memoryMiB * 1048576,
    };

    private static Dictionary<string, ProxyStats.Snapshot> Requests(long requests) => new() { ["web"] = new ProxyStats.Snapshot(requests, 0, 0, 0) };
}
