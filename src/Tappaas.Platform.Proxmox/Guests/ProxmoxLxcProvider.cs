using Tappaas.Abstractions.Providers;
using Tappaas.Platform.Proxmox.Api;

namespace Tappaas.Platform.Proxmox.Guests;

/// <summary><c>cluster:lxc</c> on Proxmox VE: a container from a CT template in <c>local:vztmpl</c>, reconciled like VMs.</summary>
public sealed class ProxmoxLxcProvider(PveClient client) : IResourceProvider
{
    private readonly GuestApi _api = new(client, "lxc");

    /// <inheritdoc />
    public ProviderInfo Info => new("proxmox", ProviderCapabilities.Test | ProviderCapabilities.Observe);

    /// <inheritdoc />
    public async ValueTask<ReadResponse> ReadAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var spec = Spec(request);
        var found = await _api.FindAsync(spec.VmId, cancellationToken);
        return new ReadResponse(found is { Name: var n } && n == spec.Name, spec.Name);
    }

    /// <inheritdoc />
    public ValueTask<OperationResult> InstallAsync(ProviderRequest request, CancellationToken cancellationToken) => Guard(request, async spec =>
    {
        var found = await _api.FindAsync(spec.VmId, cancellationToken);
        if (found is { } f && f.Name != spec.Name)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"VMID {spec.VmId} is taken by \"{f.Name}\" on {f.Node}");
        }

        if (found is null)
        {
            var form = new Dictionary<string, string>(spec.Config)
            {
                ["vmid"] = GuestApi.Text(spec.VmId),
                ["ostemplate"] = $"local:vztmpl/{spec.Image}",
                ["rootfs"] = $"{spec.Storage}:{Math.Max(1, (int)GuestSpec.Gib(spec.DiskSize ?? "8G"))}",
                ["unprivileged"] = "1",
            };
            try
            {
                await _api.OnNodeAsync(spec.Node, async () =>
                {
                    await _api.RunTaskAsync(client.PostAsync($"nodes/{spec.Node}/lxc", form, cancellationToken), $"creation of container {spec.VmId}", cancellationToken);
                    await _api.StartAsync(spec.Node, spec.VmId, cancellationToken);
                    return true;
                }, cancellationToken);
            }
            catch (PveApiException)
            {
                if (await _api.FindAsync(spec.VmId, cancellationToken) is { } half && half.Name == spec.Name)
                {
                    await _api.DestroyAsync(half.Node, spec.VmId, cancellationToken);
                }

                throw;
            }

            return OperationResult.Ok($"created container {spec.VmId} ({spec.Name}) on {spec.Node}");
        }

        return await ConvergeAsync(spec, found.Value.Node, cancellationToken);
    }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<OperationResult> UpdateAsync(ProviderRequest request, CancellationToken cancellationToken) => Guard(request, async spec =>
        await _api.FindAsync(spec.VmId, cancellationToken) is { } found
            ? await ConvergeAsync(spec, found.Node, cancellationToken)
            : OperationResult.Fail(OperationStatus.Fatal, $"container {spec.VmId} does not exist"), cancellationToken);

    /// <inheritdoc />
    public ValueTask<OperationResult> DeleteAsync(ProviderRequest request, CancellationToken cancellationToken) => Guard(request, async spec =>
    {
        if (await _api.FindAsync(spec.VmId, cancellationToken) is not { } found)
        {
            return OperationResult.Ok($"container {spec.VmId} does not exist");
        }

        await _api.OnNodeAsync(found.Node, async () => { await _api.DestroyAsync(found.Node, spec.VmId, cancellationToken); return true; }, cancellationToken);
        return OperationResult.Ok($"destroyed container {spec.VmId}");
    }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<OperationResult> TestAsync(ProviderRequest request, CancellationToken cancellationToken) => Guard(request, async spec =>
        await _api.FindAsync(spec.VmId, cancellationToken) is { Status: "running" } found
            ? OperationResult.Ok($"container {spec.VmId} runs on {found.Node}")
            : OperationResult.Fail(OperationStatus.Fatal, $"container {spec.VmId} ({spec.Name}) is not running"), cancellationToken);

    private Task<OperationResult> ConvergeAsync(GuestSpec spec, string node, CancellationToken cancellationToken) =>
        _api.OnNodeAsync(node, async () =>
        {
            var changes = GuestApi.Drift(await _api.ConfigAsync(node, spec.VmId, cancellationToken), spec.Config);
            if (changes.Count > 0)
            {
                await client.PutAsync(_api.Path(node, spec.VmId, "/config"), changes, cancellationToken);
            }

            if (!await _api.IsRunningAsync(node, spec.VmId, cancellationToken))
            {
                await _api.StartAsync(node, spec.VmId, cancellationToken);
            }

            return OperationResult.Ok(changes.Count == 0 ? $"container {spec.VmId} converged" : $"container {spec.VmId}: changed {string.Join(", ", changes.Keys.Order(StringComparer.Ordinal))}");
        }, cancellationToken);

    private static GuestSpec Spec(ProviderRequest request) => GuestSpec.For(request.Consumer, ProxmoxSite.Load(request.SiteFolder), lxc: true);

    private static ValueTask<OperationResult> Guard(ProviderRequest request, Func<GuestSpec, Task<OperationResult>> body, CancellationToken cancellationToken) =>
        ProviderGuard.RunAsync("cluster:lxc", request, () => body(Spec(request)), cancellationToken);
}
