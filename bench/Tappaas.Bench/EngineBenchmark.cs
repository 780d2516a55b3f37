using System.Diagnostics;
using Tappaas.Abstractions.Providers;
using Tappaas.Abstractions.State;
using Tappaas.Engine;
using Tappaas.Engine.Planning;
using Tappaas.Engine.Site;
using Tappaas.Hooks;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Graph;
using Tappaas.Model.Json;
using Tappaas.Model.Loading;
using Tappaas.Model.Modules;
using Tappaas.Providers.Fake;
using Tappaas.State;

namespace Tappaas.Bench;

/// <summary>
/// (a) Planning 1,000 modules (half installed, a tenth of those changed) against the dependency ordering alone as
/// baseline. (b) The engine's cost per step — journal lines, lock and state writes included — against calling the
/// same fake provider directly for the same operations.
/// </summary>
internal static class EngineBenchmark
{
    public static async Task<int> RunAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "tappaas-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            var plan = Plan(root);
            var step = await StepOverheadAsync(root);
            return plan && step ? 0 : 1;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static bool Plan(string root)
    {
        var dir = Path.Combine(root, "modules");
        Directory.CreateDirectory(dir);
        ModuleSetGenerator.Write(dir, 1000);
        var modules = WorkspaceLoader.Load([dir]).Modules;
        var recorded = new Dictionary<string, InstalledModule>(StringComparer.Ordinal);
        for (var i = 0; i < modules.Count; i += 2)
        {
            var text = JsonText.Write(modules[i].ToCanonical());
            if (i % 20 == 0)
            {
                text = text.Replace("\"version\": \"0.", "\"version\": \"9.", StringComparison.Ordinal);
            }

            recorded[modules[i].Name] = new InstalledModule(modules[i].Name, 1, text, "installed", DateTimeOffset.UnixEpoch);
        }

        var baseline = Stats.Measure(7, () => DependencyGraph.Build(modules, [], Severity.Error).InstallOrder());
        var changes = 0;
        var ours = Stats.Measure(7, () =>
        {
            var (p, _) = Planner.Make(new PlanRequest { Desired = modules, Recorded = recorded, StateRevision = 1 });
            changes = p!.Changes.Count;
        });
        Console.WriteLine($"plan {modules.Count} modules ({recorded.Count} installed), {changes} planned steps, median of 7");
        Console.WriteLine($"  baseline (graph + install order):   {baseline.MedianMs,8:0.0} ms");
        Console.WriteLine($"  plan:                               {ours.MedianMs,8:0.0} ms   (first, cold: {ours.FirstMs:0.0} ms)");
        Console.WriteLine($"  ratio plan / baseline:              {ours.MedianMs / baseline.MedianMs,8:0.00}x");
        var pass = ours.MedianMs < 200;
        Console.WriteLine($"  target < 200 ms:                    {(pass ? "met" : "MISSED")}");
        return pass;
    }

    private static async Task<bool> StepOverheadAsync(string root)
    {
        const int services = 40;
        var layout = new SiteLayout(Path.Combine(root, "site"));
        SiteInitializer.Initialize(layout, "bench.internal", new Dictionary<string, string> { ["*"] = "fake" }, []);
        await using var store = new SqliteStateStore(layout.StatePath, TimeProvider.System);
        await store.MigrateAsync(CancellationToken.None);
        var fake = new FakeProvider(layout.Root, TimeProvider.System);
        var runner = new HookRunner(TimeSpan.FromSeconds(30), TimeProvider.System);
        var engine = new SiteEngine(layout, store, new AllFake(fake), new ModuleHookScripts(runner), TimeProvider.System);

        var provider = Write(root, "svc", "{\"description\": \"p\", \"version\": \"1.0\", \"provides\": [" + string.Join(", ", Enumerable.Range(0, services).Select(i => $"\"s{i}\"")) + "]}");
        await engine.InstallAsync([provider], new EngineOptions(), CancellationToken.None);

        var timings = new List<double>();
        var direct = new List<double>();
        var steps = 0;
        for (var run = 0; run < 5; run++)
        {
            var name = $"consumer{run}";
            var source = Write(root, name, "{\"description\": \"c\", \"version\": \"1.0\", \"dependsOn\": [" + string.Join(", ", Enumerable.Range(0, services).Select(i => $"\"svc:s{i}\"")) + "]}");
            var sw = Stopwatch.StartNew();
            var outcome = await engine.InstallAsync([source], new EngineOptions(), CancellationToken.None);
            timings.Add(sw.Elapsed.TotalMilliseconds);
            steps = (await store.ReadJournalAsync(outcome.ApplyId!.Value, CancellationToken.None)).Count / 2;

            var other = Write(root, name + "d", "{\"description\": \"c\", \"version\": \"1.0\", \"dependsOn\": [" + string.Join(", ", Enumerable.Range(0, services).Select(i => $"\"svc:s{i}\"")) + "]}");
            sw.Restart();
            foreach (var dep in other.Definition.DependsOn)
            {
                await fake.InstallAsync(new ProviderRequest(other.Definition, dep, other.Folder, layout.Root, HookFlags.None), CancellationToken.None);
            }

            direct.Add(sw.Elapsed.TotalMilliseconds);
        }

        timings.Sort();
        direct.Sort();
        var engineMs = timings[timings.Count / 2];
        var directMs = direct[direct.Count / 2];
        var perStep = (engineMs - directMs) / steps;
        Console.WriteLine($"install of a module with {services} services: {steps} journalled steps, median of 5");
        Console.WriteLine($"  baseline (same provider calls, no engine): {directMs,8:0.0} ms");
        Console.WriteLine($"  engine (lock, journal, state, files):      {engineMs,8:0.0} ms");
        Console.WriteLine($"  ratio engine / baseline:                   {engineMs / directMs,8:0.00}x");
        Console.WriteLine($"  engine overhead per step (journal incl.):  {perStep,8:0.00} ms");
        return true;
    }

    private static ModuleSource Write(string root, string name, string json)
    {
        var folder = Path.Combine(root, "src", name);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, name + ".json");
        File.WriteAllText(file, json);
        return new ModuleSource(new ModuleDefinition(name, file, (JObject)JsonSource.Parse(file, System.Text.Encoding.UTF8.GetBytes(json)).Root!), folder, json);
    }

    private sealed class AllFake(FakeProvider fake) : IProviderFactory
    {
        public IResourceProvider Resolve(ServiceRef service, string providerFolder) => fake;
    }
}
