using System.Text.Json;
using Tappaas.Abstractions.Providers;
using Tappaas.Client;
using Tappaas.Engine.Apply;
using Tappaas.Model.Modules;
using Tappaas.Model.Site;
using Tappaas.Platform.Proxmox.Api;
using Tappaas.Platform.Proxmox.Ha;

namespace Tappaas.Composition;

public sealed partial class SiteApi
{
    /// <summary>
    /// The nodes guests run on: Proxmox VE's nodes (status, CPU, memory, storage) when the site's services use it, else
    /// the nodes of configuration.json with this host's figures (the others are unknown to a single-host site).
    /// </summary>
    public async Task<ApiResult<List<NodeV1>>> NodesAsync(CancellationToken ct)
    {
        var configured = SiteSnapshot.Read(site.Layout.ConfigDir).Configuration;
        if (configured?.Backends.Values.Contains("proxmox") == true)
        {
            if (site.Proxmox is not { Client: { } client })
            {
                return Problem(502, "Proxmox VE is not reachable", site.Proxmox.Error ?? "no Proxmox VE client");
            }

            try
            {
                var nodes = new List<NodeV1>();
                foreach (var n in (await client.GetAsync("nodes", null, ct)).EnumerateArray().OrderBy(n => n.GetProperty("node").GetString(), StringComparer.Ordinal))
                {
                    var name = n.GetProperty("node").GetString()!;
                    var storage = await client.GetAsync($"nodes/{name}/storage", null, ct);
                    nodes.Add(new NodeV1(name, (int)Number(n, "maxcpu"), Number(n, "maxmem") / (1024 * 1024), (Number(n, "maxmem") - Number(n, "mem")) / (1024 * 1024), 0, 0,
                        n.GetProperty("status").GetString() ?? "", n.TryGetProperty("cpu", out var cpu) ? cpu.GetDouble() : null,
                        [.. storage.EnumerateArray().Select(s => new StorageV1(s.GetProperty("storage").GetString() ?? "", Number(s, "used"), Number(s, "total")))]));
                }

                return Ok(nodes);
            }
            catch (PveApiException ex)
            {
                return Problem(502, "Proxmox VE refused", ex.Message);
            }
        }

        var host = HostNode.Read(site.Guests().Count);
        var listed = configured?.Nodes ?? [];
        return Ok<List<NodeV1>>(listed.Count == 0 ? [host with { Status = "online (this host)" }]
            : [.. listed.Select(n => string.Equals(n.Hostname, Environment.MachineName, StringComparison.OrdinalIgnoreCase) || n.Ip == "127.0.0.1"
                ? host with { Name = n.Hostname, Status = "online (this host)" }
                : new NodeV1(n.Hostname, 0, 0, 0, 0, 0, "unknown"))]);
    }

    /// <summary>Moves a module's VM to another node under the site's lock (a migration changes no recorded state).</summary>
    public async Task<ApiResult<MigrationV1>> MigrateAsync(string module, string? node, CancellationToken ct)
    {
        if (Ha() is not { } ha)
        {
            return Problem(502, "migration needs Proxmox VE", site.Proxmox.Error ?? "no Proxmox VE client");
        }

        var (applyLock, heldBy) = await ApplyLock.AcquireAsync(site.Store, site.Time, "migrate", ct);
        if (applyLock is null)
        {
            return Problem(409, "the site is locked", $"by {heldBy!.Host}:{heldBy.ProcessId} ({heldBy.Command})");
        }

        await using (applyLock)
        {
            if (await HaRequestAsync(module, ct) is not { } request)
            {
                return NotInstalled(module);
            }

            var r = await ha.MigrateAsync(request, node, ct);
            return r.Succeeded ? Ok(new MigrationV1(module, true, r.Output)) : new ApiProblem(502, "the migration failed", r.Message, [.. r.Diagnostics.Select(ToV1)], null);
        }
    }

    /// <summary>Moves every module VM with a second node (HANode) off <paramref name="node"/>, one by one.</summary>
    public async Task<ApiResult<List<MigrationV1>>> EvacuateAsync(string node, CancellationToken ct)
    {
        if (Ha() is not { } ha)
        {
            return Problem(502, "evacuation needs Proxmox VE", site.Proxmox.Error ?? "no Proxmox VE client");
        }

        var requests = new List<ProviderRequest>();
        foreach (var m in await site.Store.ListModulesAsync(ct))
        {
            if (await HaRequestAsync(m.Name, ct) is { } r && r.Consumer.DependsOnService("cluster:ha"))
            {
                requests.Add(r);
            }
        }

        return Ok((await ha.EvacuateAsync(requests, node, ct)).Select(r => new MigrationV1(r.Module, r.Result.Succeeded, r.Result.Succeeded ? r.Result.Output : r.Result.Message)).ToList());
    }

    private ProxmoxHaProvider? Ha() => site.Proxmox is { Client: { } client } ? new ProxmoxHaProvider(client) : null;

    private async Task<ProviderRequest?> HaRequestAsync(string name, CancellationToken ct)
    {
        if (await site.Store.GetModuleAsync(name, ct) is not { Status: "installed" } record)
        {
            return null;
        }

        var module = ModuleDefinition.FromJson(name, record.Definition);
        return new ProviderRequest(module, ServiceRef.Parse("cluster:ha"), module.Text("location") ?? site.Layout.ConfigDir, site.Layout.Root, HookFlags.None);
    }

    private static long Number(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.TryGetInt64(out var n) ? n : e.TryGetProperty(key, out var d) && d.ValueKind == JsonValueKind.Number ? (long)d.GetDouble() : 0;
}
