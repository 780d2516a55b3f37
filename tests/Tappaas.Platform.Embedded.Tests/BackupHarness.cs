using System.Text;
using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Site;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Platform.Embedded.Backup;
using Tappaas.State;
using Tappaas.TestUtilities;

namespace Tappaas.Platform.Embedded.Tests;

/// <summary>A site with loopback guests (fast, no root needed), a real SQLite state store for events, and the backup service.</summary>
internal sealed class BackupHarness : IAsyncDisposable
{
    private readonly TempDir _dir = new("/var/tmp");
    private readonly List<ModuleDefinition> _installed = [];

    public BackupHarness(TimeProvider? time = null, string? offsite = null)
    {
        Layout = new SiteLayout(Path.Combine(_dir.Path, "site"));
        SiteInitializer.Initialize(Layout, "example.org", new Dictionary<string, string>(), []);
        Folder = Path.Combine(_dir.Path, "module");
        Directory.CreateDirectory(Folder);
        if (offsite is not null)
        {
            var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Layout.ConfigurationFile))!;
            config["tappaas"]!["backup"] = new System.Text.Json.Nodes.JsonObject { ["offsite"] = Path.Combine(_dir.Path, offsite) };
            File.WriteAllText(Layout.ConfigurationFile, config.ToJsonString());
        }

        Platform = new EmbeddedPlatform(Layout.Root, isolate: false, time ?? TimeProvider.System, moduleFolder: _ => Folder);
        Store = new SqliteStateStore(Layout.StatePath, TimeProvider.System);
        Store.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        Service = new BackupService(Platform, Store);
    }

    public const string Sleeper = "{\"command\": \"/bin/sleep\", \"args\": [\"600\"], \"stopGrace\": \"1s\"}";

    /// <summary>Serves its own disk; ready only when the disk holds index.html (so a scratch guest proves the restored data).</summary>
    public const string Web = "{\"command\": \"/bin/sh\", \"args\": [\"-c\", \"exec /usr/bin/python3 -m http.server $TAPPAAS_PORT_HTTP --bind 127.0.0.1 --directory $TAPPAAS_DATA\"], " +
        "\"ports\": {\"http\": 8080}, \"health\": {\"readiness\": {\"http\": {\"port\": \"http\", \"path\": \"/index.html\"}, \"interval\": \"100ms\"}}, \"stopGrace\": \"1s\"}";

    public SiteLayout Layout { get; }

    public string Folder { get; }

    public EmbeddedPlatform Platform { get; }

    public SqliteStateStore Store { get; }

    public BackupService Service { get; }

    public static ModuleDefinition Module(string name, string workload = Sleeper, string deps = "\"cluster:vm\", \"backup:vm\"", string extra = "") =>
        new(name, name + ".json", (JObject)JsonSource.Parse(name, Encoding.UTF8.GetBytes(
            "{\"vmid\": 400, \"zone0\": \"srvHome\", \"dependsOn\": [" + deps + "]" + extra +
            ", \"config\": {\"cluster:vm\": {\"image\": \"x\", \"cores\": 1, \"memory\": 256, \"workload\": " + workload + "}}}")).Root!);

    public string Root => _dir.Path;

    public string Disk(string module) => Path.Combine(Layout.Root, "disks", module);

    /// <summary>Starts the module's guests and records it as installed.</summary>
    public async Task InstallAsync(ModuleDefinition module)
    {
        _installed.Add(module);
        var result = await Platform.Vm.InstallAsync(new ProviderRequest(module, ServiceRef.Parse("cluster:vm"), Folder, Layout.Root, HookFlags.None), TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.Message);
        File.WriteAllText(Layout.ModuleFile(module.Name), JsonText.Write(module.Root));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var module in _installed)
        {
            await Platform.Vm.DeleteAsync(new ProviderRequest(module, ServiceRef.Parse("cluster:vm"), Folder, Layout.Root, HookFlags.None), CancellationToken.None);
        }

        await Store.DisposeAsync();
        _dir.Dispose();
    }
}
