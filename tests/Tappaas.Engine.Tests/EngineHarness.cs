using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Site;
using Tappaas.Model.Loading;
using Tappaas.Hooks;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Providers.Fake;
using Tappaas.State;
using Tappaas.TestUtilities;

namespace Tappaas.Engine.Tests;

/// <summary>A site in a temp folder with the real SQLite store, the fake provider for cluster:* and hook scripts for everything else.</summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    private readonly TempDir _dir = new();

    private EngineHarness(IResourceProvider? guests)
    {
        Layout = new SiteLayout(Path.Combine(_dir.Path, "site"));
        SiteInitializer.Initialize(Layout, "example.org", new Dictionary<string, string> { ["cluster:*"] = "fake" }, []);
        Store = new SqliteStateStore(Layout.StatePath, TimeProvider.System);
        var (site, _, _) = SiteFiles.Read(Layout.ConfigDir);
        var runner = new HookRunner(TimeSpan.FromSeconds(20), TimeProvider.System);
        Engine = new SiteEngine(Layout, Store, new Factory(site!, guests ?? new FakeProvider(Layout.Root, TimeProvider.System), runner), new ModuleHookScripts(runner), TimeProvider.System);
    }

    public SiteLayout Layout { get; }

    public SqliteStateStore Store { get; }

    public SiteEngine Engine { get; }

    public string Sources => Path.Combine(_dir.Path, "modules");

    /// <summary>A harness; <paramref name="guests"/> replaces the fake provider behind cluster:*.</summary>
    public static async Task<EngineHarness> CreateAsync(IResourceProvider? guests = null)
    {
        var h = new EngineHarness(guests);
        await h.Store.MigrateAsync(CancellationToken.None);
        return h;
    }

    /// <summary>Writes a module release into its own folder and returns it as a source.</summary>
    public ModuleSource Module(string name, string json, params (string File, string Script)[] scripts)
    {
        var folder = Path.Combine(Sources, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name + ".json"), json);
        foreach (var (file, script) in scripts)
        {
            var path = Path.Combine(folder, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, script);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return Source(name);
    }

    public ModuleSource Source(string name)
    {
        var file = Path.Combine(Sources, name, name + ".json");
        var text = File.ReadAllText(file);
        return new ModuleSource(new ModuleDefinition(name, file, (JObject)JsonSource.Parse(file, System.Text.Encoding.UTF8.GetBytes(text)).Root!), Path.GetDirectoryName(file)!, text);
    }

    public void Script(object rules)
    {
        Directory.CreateDirectory(Path.Combine(Layout.Root, "fake"));
        File.WriteAllText(Path.Combine(Layout.Root, "fake", "script.json"), System.Text.Json.JsonSerializer.Serialize(new { rules }));
    }

    public IReadOnlyList<string> Objects => FakeProvider.ListObjects(Layout.Root);

    public IReadOnlyList<string> Calls => File.Exists(Path.Combine(Layout.Root, "fake", "calls.log"))
        ? File.ReadAllLines(Path.Combine(Layout.Root, "fake", "calls.log")) : [];

    public const string Cluster = """{"description": "cluster", "version": "1.0", "provides": ["vm", "lxc"]}""";

    public static string App(int cores = 2, string extraDeps = "") =>
        "{\"description\": \"app\", \"version\": \"1.0\", \"vmid\": 300, \"zone0\": \"srvHome\", \"dependsOn\": [\"cluster:vm\"" + extraDeps + "], \"config\": {\"cluster:vm\": {\"image\": \"8080\", \"cores\": " + cores + "}}}";

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _dir.Dispose();
    }

    private sealed class Factory(Model.Site.SiteConfiguration site, IResourceProvider fake, HookRunner runner) : IProviderFactory
    {
        public IResourceProvider Resolve(ServiceRef service, string providerFolder) =>
            site.BackendFor(service.Module, service.Service) == "fake" ? fake : new HookScriptProvider(providerFolder, runner);
    }
}
