using Tappaas.Abstractions.Guests;
using Tappaas.Model.Resolved;
using Tappaas.Model.Site;
using Tappaas.Platform.Proxmox.Api;
using Tappaas.Platform.Proxmox.Guests;

namespace Tappaas.Platform.Proxmox;

/// <summary>
/// Recovery on the cluster platform: a VM of an installed module (its <c>cluster:vm</c> on Proxmox VE) that the cluster
/// reports stopped is started again. Modules under HA (<c>cluster:ha</c>) are left to Proxmox's HA manager.
/// </summary>
/// <param name="client">The site's Proxmox client (null when the site has none configured).</param>
/// <param name="site">The site as it is now (read on each call: which modules are on Proxmox).</param>
public sealed class ProxmoxRecovery(Func<PveClient?> client, Func<SiteSnapshot> site) : IGuestRecovery
{
    public string Provider => "proxmox";

    public async Task<IReadOnlyList<GuestRecovered>> RecoverAsync(IReadOnlyList<ResolvedModule> installed, CancellationToken cancellationToken)
    {
        var snapshot = site();
        var onProxmox = installed.Where(m => m.DependsOnService("cluster:vm") && !m.DependsOnService("cluster:ha") && m.VmId is not null
            && snapshot.BackendFor(m.DependsOn.First(d => d.ToString() == "cluster:vm").Module, "vm") == "proxmox").ToList();
        if (onProxmox.Count == 0)
        {
            return [];
        }

        var api = new GuestApi(client() ?? throw new InvalidOperationException("modules run on Proxmox VE, but the site has no Proxmox connection (tappaas.proxmox and its token)"), "qemu");
        var recovered = new List<GuestRecovered>();
        foreach (var module in onProxmox)
        {
            var vmid = (int)module.VmId!.Value;
            if (await api.FindAsync(vmid, cancellationToken) is { Status: "stopped" } vm)
            {
                await api.OnNodeAsync(vm.Node, async () => { await api.StartAsync(vm.Node, vmid, cancellationToken); return true; }, cancellationToken);
                recovered.Add(new GuestRecovered(module.Name, module.VmName, $"VM {vmid} of {module.Name} was stopped on {vm.Node}; started it again"));
            }
        }

        return recovered;
    }
}
