using System.Text;
using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Site;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Platform.Proxmox.Api;
using Tappaas.Platform.Proxmox.Backup;
using Tappaas.Platform.Proxmox.Guests;
using Tappaas.Platform.Proxmox.Ha;
using Tappaas.Platform.Proxmox.Tests.Simulator;
using Tappaas.TestUtilities;

namespace Tappaas.Platform.Proxmox.Tests;

/// <summary>A site folder (3 nodes, the default zones), the simulator, a client on it and the four providers.</summary>
internal sealed class ProxmoxHarness : IDisposable
{
    private readonly TempDir _dir = new();

    public ProxmoxHarness(TimeSpan? taskTimeout = null)
    {
        Layout = new SiteLayout(Path.Combine(_dir.Path, "site"));
        SiteInitializer.Initialize(Layout, "example.org", new Dictionary<string, string> { ["cluster:*"] = "proxmox", ["backup:vm"] = "proxmox" }, []);
        File.WriteAllText(Layout.ConfigurationFile, """
            {"tappaas": {"version": "0.5", "domain": "example.org", "email": "a@example.org", "nodeCount": 3, "repositories": [],
                         "backends": {"cluster:*": "proxmox", "backup:vm": "proxmox"}},
             "tappaas-nodes": [{"hostname": "pve1", "ip": "10.0.0.10"}, {"hostname": "pve2", "ip": "10.0.0.11"}, {"hostname": "pve3", "ip": "10.0.0.12"}]}
            """);
        Sim = new PveSimulator("pve1", "pve2", "pve3");
        Sim.AddTemplate(8080, "pve1");
        Client = new PveClient(new PveClientOptions
        {
            BaseAddress = new Uri("https://pve1.mgmt.internal:8006"),
            TokenId = "root@pam!tappaas",
            Secret = "00000000-0000-0000-0000-000000000000",
            PollInterval = TimeSpan.FromMilliseconds(1),
            TaskTimeout = taskTimeout ?? TimeSpan.FromSeconds(10),
            AgentTimeout = TimeSpan.FromSeconds(2),
        }, TimeProvider.System, Sim);
        Vm = new ProxmoxVmProvider(Client, TimeProvider.System);
        Lxc = new ProxmoxLxcProvider(Client);
        Ha = new ProxmoxHaProvider(Client);
        Backup = new ProxmoxBackupProvider(Client);
    }

    public SiteLayout Layout { get; }

    public PveSimulator Sim { get; }

    public PveClient Client { get; }

    public ProxmoxVmProvider Vm { get; }

    public ProxmoxLxcProvider Lxc { get; }

    public ProxmoxHaProvider Ha { get; }

    public ProxmoxBackupProvider Backup { get; }

    public static ModuleDefinition Module(string json, string name = "app") =>
        new(name, name + ".json", (JObject)JsonSource.Parse(name + ".json", Encoding.UTF8.GetBytes(json)).Root!);

    public const string App = """
        {"vmid": 310, "vmname": "app", "node": "pve2", "HANode": "pve3", "zone0": "srvHome", "trunks0": "home;iotLocal",
         "dependsOn": ["cluster:vm", "cluster:ha", "backup:vm"],
         "config": {"cluster:vm": {"cores": 4, "memory": "4096", "diskSize": "32G", "imageType": "clone", "image": "8080", "bridge0": "lan"},
                    "cluster:ha": {"replicationSchedule": "*/30"}}}
        """;

    public ProviderRequest Request(ModuleDefinition module, string service = "cluster:vm", HookFlags? flags = null) =>
        new(module, ServiceRef.Parse(service), _dir.Path, Layout.Root, flags ?? HookFlags.None);

    public void Dispose()
    {
        Client.Dispose();
        _dir.Dispose();
    }
}
