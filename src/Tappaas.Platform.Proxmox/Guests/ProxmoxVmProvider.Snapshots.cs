using System.Globalization;
using Tappaas.Abstractions.Providers;
using Tappaas.Platform.Proxmox.Api;

namespace Tappaas.Platform.Proxmox.Guests;

public sealed partial class ProxmoxVmProvider
{
    /// <inheritdoc />
    public async ValueTask<string> CreateSnapshotAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var spec = Spec(request);
        var node = (await _api.FindAsync(spec.VmId, cancellationToken))?.Node ?? throw new PveApiException($"VM {spec.VmId} does not exist; nothing to snapshot");
        var name = "tappaas-" + time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        await _api.OnNodeAsync(node, async () =>
        {
            await _api.RunTaskAsync(client.PostAsync(_api.Path(node, spec.VmId, "/snapshot"), new Dictionary<string, string>
            {
                ["snapname"] = name, ["description"] = $"TAPPaaS snapshot for {request.Consumer.Name}",
            }, cancellationToken), $"snapshot {name} of {spec.VmId}", cancellationToken);
            return true;
        }, cancellationToken);
        return name;
    }

    /// <summary>Snapshot names of the module's VM, oldest first (the live state "current" excluded).</summary>
    public async Task<IReadOnlyList<string>> ListSnapshotsAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var spec = Spec(request);
        var node = (await _api.FindAsync(spec.VmId, cancellationToken))?.Node ?? throw new PveApiException($"VM {spec.VmId} does not exist");
        var list = await client.GetAsync(_api.Path(node, spec.VmId, "/snapshot"), null, cancellationToken);
        return [.. list.EnumerateArray()
            .Where(s => s.GetProperty("name").GetString() != "current")
            .OrderBy(s => s.TryGetProperty("snaptime", out var t) ? t.GetInt64() : 0)
            .ThenBy(s => s.GetProperty("name").GetString(), StringComparer.Ordinal)
            .Select(s => s.GetProperty("name").GetString()!)];
    }

    /// <inheritdoc />
    public async ValueTask<OperationResult> RestoreSnapshotAsync(ProviderRequest request, string snapshotId, CancellationToken cancellationToken)
    {
        var spec = Spec(request);
        try
        {
            var node = (await _api.FindAsync(spec.VmId, cancellationToken))?.Node ?? throw new PveApiException($"VM {spec.VmId} does not exist");
            await _api.OnNodeAsync(node, async () =>
            {
                await _api.StopAsync(node, spec.VmId, cancellationToken);
                await _api.RunTaskAsync(client.PostAsync(_api.Path(node, spec.VmId, $"/snapshot/{snapshotId}/rollback"), new Dictionary<string, string> { ["start"] = "1" }, cancellationToken),
                    $"rollback of {spec.VmId} to {snapshotId}", cancellationToken);
                return true;
            }, cancellationToken);
            return OperationResult.Ok($"VM {spec.VmId} rolled back to {snapshotId}");
        }
        catch (PveApiException ex)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"rollback of {spec.VmId} to {snapshotId} failed: {ex.Message}");
        }
    }

    /// <summary>Rolls back to the Nth newest snapshot (1 = newest), as upstream's <c>--restore N</c>.</summary>
    public async ValueTask<OperationResult> RestoreNthAsync(ProviderRequest request, int n, CancellationToken cancellationToken)
    {
        var snapshots = await ListSnapshotsAsync(request, cancellationToken);
        return n < 1 || n > snapshots.Count
            ? OperationResult.Fail(OperationStatus.Failed, $"there are {snapshots.Count} snapshot(s); cannot go {n} back")
            : await RestoreSnapshotAsync(request, snapshots[^n], cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask PruneSnapshotsAsync(ProviderRequest request, int keep, CancellationToken cancellationToken)
    {
        var spec = Spec(request);
        var node = (await _api.FindAsync(spec.VmId, cancellationToken))?.Node ?? throw new PveApiException($"VM {spec.VmId} does not exist");
        foreach (var old in (await ListSnapshotsAsync(request, cancellationToken)).SkipLast(Math.Max(1, keep)))
        {
            await _api.RunTaskAsync(client.DeleteAsync(_api.Path(node, spec.VmId, $"/snapshot/{old}"), null, cancellationToken), $"deletion of snapshot {old}", cancellationToken);
        }
    }
}
