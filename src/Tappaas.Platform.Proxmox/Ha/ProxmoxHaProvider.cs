using System.Text.Json;
using Tappaas.Abstractions.Providers;
using Tappaas.Platform.Proxmox.Api;
using Tappaas.Platform.Proxmox.Guests;

namespace Tappaas.Platform.Proxmox.Ha;

/// <summary>
/// <c>cluster:ha</c>: the guest as an HA resource (<c>vm:&lt;id&gt;</c>), a node-affinity rule <c>ha-&lt;module&gt;</c>
/// preferring <c>node</c> (priority 2) over <c>HANode</c> (priority 1), and a replication job <c>&lt;vmid&gt;-0</c> to
/// HANode on <c>replicationSchedule</c>. Also migrates a guest (saving and restoring its HA rule) and evacuates nodes.
/// </summary>
public sealed class ProxmoxHaProvider(PveClient client) : IResourceProvider
{
    private readonly GuestApi _api = new(client, "qemu");

    /// <inheritdoc />
    public ProviderInfo Info => new("proxmox", ProviderCapabilities.Test | ProviderCapabilities.Observe);

    /// <inheritdoc />
    public async ValueTask<ReadResponse> ReadAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var (sid, rule, _, _, _) = Desired(request);
        var resources = await client.GetAsync("cluster/ha/resources", null, cancellationToken);
        return new ReadResponse(resources.EnumerateArray().Any(r => r.GetProperty("sid").GetString() == sid), rule);
    }

    /// <inheritdoc />
    public ValueTask<OperationResult> InstallAsync(ProviderRequest request, CancellationToken cancellationToken) => UpdateAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<OperationResult> UpdateAsync(ProviderRequest request, CancellationToken cancellationToken) => Guard(request, async () =>
    {
        var (sid, rule, nodes, job, vmid) = Desired(request);
        var site = ProxmoxSite.Load(request.SiteFolder);
        if (site.Configuration?.Nodes.Count is 1)
        {
            return OperationResult.Ok("single-node site: no HA");
        }

        var resources = await client.GetAsync("cluster/ha/resources", null, cancellationToken);
        if (!resources.EnumerateArray().Any(r => r.GetProperty("sid").GetString() == sid))
        {
            await client.PostAsync("cluster/ha/resources", new Dictionary<string, string> { ["sid"] = sid, ["state"] = "started" }, cancellationToken);
        }

        var rules = await client.GetAsync("cluster/ha/rules", null, cancellationToken);
        var existing = rules.EnumerateArray().FirstOrDefault(r => r.GetProperty("rule").GetString() == rule);
        if (existing.ValueKind == JsonValueKind.Undefined)
        {
            await client.PostAsync("cluster/ha/rules", new Dictionary<string, string> { ["rule"] = rule, ["type"] = "node-affinity", ["nodes"] = nodes, ["resources"] = sid }, cancellationToken);
        }
        else if (existing.TryGetProperty("nodes", out var n) && n.GetString() != nodes)
        {
            await client.PutAsync($"cluster/ha/rules/{rule}", new Dictionary<string, string> { ["type"] = "node-affinity", ["nodes"] = nodes, ["resources"] = sid }, cancellationToken);
        }

        var schedule = request.Consumer.Text("replicationSchedule") ?? "*/15";
        var haNode = nodes.Split(',')[1].Split(':')[0];
        var jobs = await client.GetAsync("cluster/replication", null, cancellationToken);
        var current = jobs.EnumerateArray().FirstOrDefault(j => j.GetProperty("id").GetString() == job);
        if (current.ValueKind == JsonValueKind.Undefined)
        {
            await client.PostAsync("cluster/replication", new Dictionary<string, string> { ["id"] = job, ["target"] = haNode, ["type"] = "local", ["schedule"] = schedule }, cancellationToken);
        }
        else if ((current.TryGetProperty("schedule", out var s) ? s.GetString() : null) != schedule)
        {
            await client.PutAsync($"cluster/replication/{job}", new Dictionary<string, string> { ["schedule"] = schedule }, cancellationToken);
        }

        return OperationResult.Ok($"{sid} is HA-managed (rule {rule}: {nodes}; replication {job} every {schedule}); vmid {vmid}");
    }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<OperationResult> DeleteAsync(ProviderRequest request, CancellationToken cancellationToken) => Guard(request, async () =>
    {
        var (sid, rule, _, job, _) = Desired(request);
        await IgnoreMissingAsync(() => client.DeleteAsync($"cluster/ha/rules/{rule}", null, cancellationToken));
        await IgnoreMissingAsync(() => client.DeleteAsync($"cluster/ha/resources/{sid}", null, cancellationToken));
        await IgnoreMissingAsync(() => client.DeleteAsync($"cluster/replication/{job}", new Dictionary<string, string> { ["force"] = "1" }, cancellationToken));
        return OperationResult.Ok($"removed HA for {sid}");
    }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<OperationResult> TestAsync(ProviderRequest request, CancellationToken cancellationToken) => Guard(request, async () =>
    {
        var (sid, _, _, _, _) = Desired(request);
        var resources = await client.GetAsync("cluster/ha/resources", null, cancellationToken);
        return resources.EnumerateArray().Any(r => r.GetProperty("sid").GetString() == sid)
            ? OperationResult.Ok($"{sid} is HA-managed")
            : OperationResult.Fail(OperationStatus.Failed, $"{sid} is not an HA resource");
    }, cancellationToken);

    /// <summary>
    /// Moves the module's VM to <paramref name="target"/> (default: to HANode when on node, else back to node): the HA
    /// rule and resource are saved and removed, the VM migrated online (offline when it is stopped), and HA restored.
    /// </summary>
    public ValueTask<OperationResult> MigrateAsync(ProviderRequest request, string? target, CancellationToken cancellationToken) => Guard(request, async () =>
    {
        var (sid, rule, nodes, _, vmid) = Desired(request);
        var found = await _api.FindAsync(vmid, cancellationToken) ?? throw new PveApiException($"VM {vmid} does not exist");
        var primary = nodes.Split(',')[0].Split(':')[0];
        var secondary = nodes.Split(',')[1].Split(':')[0];
        var to = target ?? (found.Node == primary ? secondary : primary);
        if (to == found.Node)
        {
            return OperationResult.Ok($"VM {vmid} is already on {to}");
        }

        var rules = await client.GetAsync("cluster/ha/rules", null, cancellationToken);
        var saved = rules.EnumerateArray().FirstOrDefault(r => r.GetProperty("rule").GetString() == rule);
        var wasHa = (await client.GetAsync("cluster/ha/resources", null, cancellationToken)).EnumerateArray().Any(r => r.GetProperty("sid").GetString() == sid);
        if (saved.ValueKind != JsonValueKind.Undefined)
        {
            await client.DeleteAsync($"cluster/ha/rules/{rule}", null, cancellationToken);
        }

        if (wasHa)
        {
            await client.DeleteAsync($"cluster/ha/resources/{sid}", null, cancellationToken);
        }

        var landed = found.Node;
        try
        {
            await _api.OnNodeAsync(found.Node, async () =>
            {
                await _api.RunTaskAsync(client.PostAsync(_api.Path(found.Node, vmid, "/migrate"), new Dictionary<string, string>
                {
                    ["target"] = to, ["online"] = found.Status == "running" ? "1" : "0", ["with-local-disks"] = "1",
                }, cancellationToken), $"migration of {vmid} to {to}", cancellationToken);
                return true;
            }, cancellationToken);
            landed = to;
        }
        finally
        {
            if (wasHa)
            {
                await client.PostAsync("cluster/ha/resources", new Dictionary<string, string> { ["sid"] = sid, ["state"] = "started" }, cancellationToken);
            }

            if (saved.ValueKind != JsonValueKind.Undefined)
            {
                await client.PostAsync("cluster/ha/rules", new Dictionary<string, string>
                {
                    ["rule"] = rule, ["type"] = "node-affinity", ["nodes"] = saved.GetProperty("nodes").GetString()!, ["resources"] = sid,
                }, cancellationToken);
            }
        }

        return OperationResult.Ok($"VM {vmid} migrated from {found.Node} to {landed}");
    }, cancellationToken);

    /// <summary>
    /// Moves every given module whose VM runs on <paramref name="node"/> to its other node (HANode, or node when it
    /// sits on HANode); modules without a second node are reported and left where they are.
    /// </summary>
    public async Task<IReadOnlyList<(string Module, OperationResult Result)>> EvacuateAsync(IEnumerable<ProviderRequest> modules, string node, CancellationToken cancellationToken)
    {
        var results = new List<(string, OperationResult)>();
        foreach (var request in modules)
        {
            if (request.Consumer.VmId is not { } id || await _api.FindAsync((int)id, cancellationToken) is not { } found || found.Node != node)
            {
                continue;
            }

            results.Add((request.Consumer.Name, await MigrateAsync(request, null, cancellationToken)));
        }

        return results;
    }

    private static (string Sid, string Rule, string Nodes, string Job, int VmId) Desired(ProviderRequest request)
    {
        var m = request.Consumer;
        var vmid = (int)(m.VmId ?? throw new ArgumentException($"module \"{m.Name}\" has no vmid"));
        var site = ProxmoxSite.Load(request.SiteFolder);
        var node = m.Node ?? site.Configuration?.DefaultNode ?? throw new ArgumentException($"module \"{m.Name}\" has no node");
        var haNode = m.Text("HANode") ?? site.Configuration?.Nodes.Select(n => n.Hostname).FirstOrDefault(n => n != node)
            ?? throw new ArgumentException($"module \"{m.Name}\" has no HANode and the site has no second node");
        return ($"vm:{vmid}", $"ha-{m.Name}", $"{node}:2,{haNode}:1", $"{vmid}-0", vmid);
    }

    private static async Task IgnoreMissingAsync(Func<Task<JsonElement>> call)
    {
        try
        {
            await call();
        }
        catch (PveApiException ex) when (PveClient.IsNotFound(ex) || ex.StatusCode == 500 && ex.Message.Contains("no such", StringComparison.OrdinalIgnoreCase))
        {
        }
    }

    private static ValueTask<OperationResult> Guard(ProviderRequest request, Func<Task<OperationResult>> body, CancellationToken cancellationToken) =>
        ProviderGuard.RunAsync("cluster:ha", request, body, cancellationToken);
}
