using System.Collections.Concurrent;
using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Apply;

namespace Tappaas.Engine.Tests.Apply;

/// <summary>The independent modules of one run go side by side through a provider that may be called concurrently; dependants wait.</summary>
public sealed class ParallelInstallTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Independent_modules_install_at_the_same_time_through_a_concurrent_provider()
    {
        var guests = new GuestsProvider(concurrent: true) { HoldUntilInFlight = 4 };
        await using var h = await EngineHarness.CreateAsync(guests);
        var outcome = await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), .. Apps(h, 4)], new EngineOptions(), Ct);

        Assert.Equal(ApplyStatus.Succeeded, outcome.Status);
        Assert.Equal(4, guests.MaxInFlight); // each install waited until all four were in flight
        Assert.Equal(4, (await h.Store.ListModulesAsync(Ct)).Count(m => m.Name.StartsWith("app", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_provider_without_the_concurrent_capability_is_called_one_step_at_a_time()
    {
        var guests = new GuestsProvider(concurrent: false) { HoldUntilInFlight = 4, HoldAtMost = TimeSpan.FromMilliseconds(200) };
        await using var h = await EngineHarness.CreateAsync(guests);
        var outcome = await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), .. Apps(h, 4)], new EngineOptions(), Ct);

        Assert.Equal(ApplyStatus.Succeeded, outcome.Status);
        Assert.Equal(1, guests.MaxInFlight);
        Assert.Equal(["app0", "app1", "app2", "app3"], guests.Installed); // the plan's order
    }

    [Fact]
    public async Task A_module_that_depends_on_another_of_the_run_starts_after_it_finished()
    {
        var guests = new GuestsProvider(concurrent: true) { HoldUntilInFlight = 3 };
        await using var h = await EngineHarness.CreateAsync(guests);
        var db = h.Module("db", """{"description": "db", "version": "1.0", "vmid": 401, "zone0": "srvHome", "provides": ["sql"], "dependsOn": ["cluster:vm"], "config": {"cluster:vm": {"image": "x", "cores": 1}}}""",
            ("services/sql/install-service.sh", "#!/bin/sh\nexit 0\n"), ("services/sql/update-service.sh", "#!/bin/sh\nexit 0\n"), ("services/sql/delete-service.sh", "#!/bin/sh\nexit 0\n"));
        var web = h.Module("web", """{"description": "web", "version": "1.0", "vmid": 402, "zone0": "srvHome", "dependsOn": ["cluster:vm", "db:sql"], "config": {"cluster:vm": {"image": "x", "cores": 1}}}""");
        guests.Delay["db"] = TimeSpan.FromMilliseconds(400);
        var outcome = await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), .. Apps(h, 2), web, db], new EngineOptions(), Ct);

        Assert.Equal(ApplyStatus.Succeeded, outcome.Status);
        var journal = await h.Store.ReadJournalAsync(outcome.ApplyId!.Value, Ct);
        var dbDone = journal.Last(j => j.Address.StartsWith("db:", StringComparison.Ordinal) && j.Phase == "completed").At;
        var webStarts = journal.First(j => j.Address.StartsWith("web", StringComparison.Ordinal) && j.Phase == "started").At;
        Assert.True(webStarts >= dbDone, $"web started at {webStarts:O}, before db finished at {dbDone:O}");
        Assert.Equal(3, guests.MaxInFlight); // the apps and db, independent, ran side by side
    }

    [Fact]
    public async Task A_failing_module_stops_the_run_and_every_modules_completed_steps_are_undone()
    {
        var guests = new GuestsProvider(concurrent: true);
        guests.Fail.Add("app2");
        guests.Delay["app2"] = TimeSpan.FromMilliseconds(300);
        await using var h = await EngineHarness.CreateAsync(guests);
        var outcome = await h.Engine.InstallAsync([h.Module("cluster", EngineHarness.Cluster), .. Apps(h, 4)], new EngineOptions(), Ct);

        Assert.Equal(ApplyStatus.RolledBack, outcome.Status);
        Assert.Contains(outcome.Diagnostics, d => d.Message.Contains("app2/cluster:vm", StringComparison.Ordinal));
        Assert.Empty(guests.Live); // what was installed was deleted again
        Assert.DoesNotContain(await h.Store.ListModulesAsync(Ct), m => m.Name.StartsWith("app", StringComparison.Ordinal) && m.Status == "installed");
        Assert.All(Enumerable.Range(0, 4), i => Assert.False(File.Exists(h.Layout.ModuleFile($"app{i}"))));
    }

    private static ModuleSource[] Apps(EngineHarness h, int count) =>
        [.. Enumerable.Range(0, count).Select(i => h.Module($"app{i}",
            "{\"description\": \"app\", \"version\": \"1.0\", \"vmid\": " + (300 + i) + ", \"zone0\": \"srvHome\", \"dependsOn\": [\"cluster:vm\"], \"config\": {\"cluster:vm\": {\"image\": \"x\", \"cores\": 1}}}"))];

    /// <summary>A guest provider that counts the installs in flight; with <see cref="HoldUntilInFlight"/> each waits (at most <see cref="HoldAtMost"/>) until that many are.</summary>
    private sealed class GuestsProvider(bool concurrent) : IResourceProvider
    {
        private readonly Lock _gate = new();
        private int _inFlight;

        public int HoldUntilInFlight { get; init; }

        public TimeSpan HoldAtMost { get; init; } = TimeSpan.FromSeconds(2);

        public int MaxInFlight { get; private set; }

        public List<string> Installed { get; } = [];

        public ConcurrentDictionary<string, bool> LiveSet { get; } = new(StringComparer.Ordinal);

        public IReadOnlyCollection<string> Live => [.. LiveSet.Keys];

        public ConcurrentDictionary<string, TimeSpan> Delay { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Fail { get; } = new(StringComparer.Ordinal);

        public ProviderInfo Info => new("guests", concurrent ? ProviderCapabilities.Concurrent : ProviderCapabilities.None);

        public ValueTask<ReadResponse> ReadAsync(ProviderRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(new ReadResponse(false, request.Consumer.Name));

        public async ValueTask<OperationResult> InstallAsync(ProviderRequest request, CancellationToken cancellationToken)
        {
            var name = request.Consumer.Name;
            lock (_gate)
            {
                _inFlight++;
                MaxInFlight = Math.Max(MaxInFlight, _inFlight);
                Installed.Add(name);
            }

            try
            {
                var until = DateTime.UtcNow + HoldAtMost;
                while (HoldUntilInFlight > 0 && MaxInFlight < HoldUntilInFlight && DateTime.UtcNow < until)
                {
                    await Task.Delay(10, cancellationToken);
                }

                await Task.Delay(Delay.GetValueOrDefault(name), cancellationToken);
                if (Fail.Contains(name))
                {
                    return OperationResult.Fail(OperationStatus.Fatal, $"{name} cannot start");
                }

                LiveSet[name] = true;
                return OperationResult.Ok($"started {name}");
            }
            finally
            {
                lock (_gate)
                {
                    _inFlight--;
                }
            }
        }

        public ValueTask<OperationResult> UpdateAsync(ProviderRequest request, CancellationToken cancellationToken) => InstallAsync(request, cancellationToken);

        public ValueTask<OperationResult> DeleteAsync(ProviderRequest request, CancellationToken cancellationToken)
        {
            LiveSet.TryRemove(request.Consumer.Name, out _);
            return ValueTask.FromResult(OperationResult.Ok($"removed {request.Consumer.Name}"));
        }

        public ValueTask<OperationResult> TestAsync(ProviderRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(OperationResult.Ok());
    }
}
