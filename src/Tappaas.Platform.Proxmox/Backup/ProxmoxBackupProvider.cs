using System.Globalization;
using System.Text.Json;
using Tappaas.Abstractions.Providers;
using Tappaas.Platform.Proxmox.Api;

namespace Tappaas.Platform.Proxmox.Backup;

/// <summary>
/// <c>backup:vm</c> on Proxmox: one cluster backup job to the Proxmox Backup Server storage, found by the comment
/// marker <see cref="Marker"/>; each module's VMID is added to or removed from its list (the job is deleted when
/// empty). Retention is the job's prune setting. Restore re-creates a VM from a backup archive.
/// </summary>
public sealed class ProxmoxBackupProvider(PveClient client) : IResourceProvider
{
    /// <summary>The comment that marks the job TAPPaaS manages.</summary>
    public const string Marker = "TAPPaaS-backup-vm-managed";

    /// <summary>Default retention: keep-last 4, daily 14, weekly 8, monthly 12, yearly 6.</summary>
    public const string DefaultRetention = "keep-last=4,keep-daily=14,keep-weekly=8,keep-monthly=12,keep-yearly=6";

    /// <inheritdoc />
    public ProviderInfo Info => new("proxmox", ProviderCapabilities.Test | ProviderCapabilities.Observe);

    /// <inheritdoc />
    public async ValueTask<ReadResponse> ReadAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var job = await JobAsync(cancellationToken);
        return new ReadResponse(job is { } j && Ids(j).Contains(VmId(request)), Marker);
    }

    /// <inheritdoc />
    public ValueTask<OperationResult> InstallAsync(ProviderRequest request, CancellationToken cancellationToken) => UpdateAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<OperationResult> UpdateAsync(ProviderRequest request, CancellationToken cancellationToken) => Guard(request, async () =>
    {
        var vmid = VmId(request);
        var job = await JobAsync(cancellationToken);
        if (job is null)
        {
            await client.PostAsync("cluster/backup", new Dictionary<string, string>
            {
                ["storage"] = request.Consumer.Text("pbsStorageName") ?? "tappaas_backup",
                ["vmid"] = vmid,
                ["mode"] = "snapshot",
                ["compress"] = "zstd",
                ["schedule"] = "21:00",
                ["enabled"] = "1",
                ["mailnotification"] = "always",
                ["comment"] = Marker,
                ["prune-backups"] = DefaultRetention,
            }, cancellationToken);
            return OperationResult.Ok($"created the backup job with VM {vmid}");
        }

        var ids = Ids(job.Value);
        if (ids.Contains(vmid))
        {
            return OperationResult.Ok($"VM {vmid} is in the backup job");
        }

        await client.PutAsync($"cluster/backup/{job.Value.GetProperty("id").GetString()}", new Dictionary<string, string> { ["vmid"] = string.Join(',', ids.Append(vmid)) }, cancellationToken);
        return OperationResult.Ok($"added VM {vmid} to the backup job");
    }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<OperationResult> DeleteAsync(ProviderRequest request, CancellationToken cancellationToken) => Guard(request, async () =>
    {
        var vmid = VmId(request);
        if (await JobAsync(cancellationToken) is not { } job || !Ids(job).Contains(vmid))
        {
            return OperationResult.Ok($"VM {vmid} is not in the backup job");
        }

        var id = job.GetProperty("id").GetString()!;
        var rest = Ids(job).Where(i => i != vmid).ToList();
        if (rest.Count == 0)
        {
            await client.DeleteAsync($"cluster/backup/{id}", null, cancellationToken);
            return OperationResult.Ok($"removed VM {vmid} and the now empty backup job");
        }

        await client.PutAsync($"cluster/backup/{id}", new Dictionary<string, string> { ["vmid"] = string.Join(',', rest) }, cancellationToken);
        return OperationResult.Ok($"removed VM {vmid} from the backup job");
    }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<OperationResult> TestAsync(ProviderRequest request, CancellationToken cancellationToken) => Guard(request, async () =>
        await JobAsync(cancellationToken) is { } job && Ids(job).Contains(VmId(request))
            ? OperationResult.Ok($"VM {VmId(request)} is in the backup job")
            : OperationResult.Fail(OperationStatus.Failed, $"VM {VmId(request)} is not in the backup job"), cancellationToken);

    /// <summary>Restores the module's VM from a backup archive (a volume id such as <c>tappaas_backup:backup/vm/310/…</c>), replacing it.</summary>
    public ValueTask<OperationResult> RestoreAsync(ProviderRequest request, string node, string archive, CancellationToken cancellationToken) => Guard(request, async () =>
    {
        await client.WaitForTaskAsync(await client.PostAsync($"nodes/{node}/qemu", new Dictionary<string, string>
        {
            ["vmid"] = VmId(request), ["archive"] = archive, ["force"] = "1",
        }, cancellationToken), $"restore of VM {VmId(request)} from {archive}", cancellationToken);
        return OperationResult.Ok($"restored VM {VmId(request)} from {archive}");
    }, cancellationToken);

    private async Task<JsonElement?> JobAsync(CancellationToken cancellationToken)
    {
        var jobs = await client.GetAsync("cluster/backup", null, cancellationToken);
        foreach (var j in jobs.EnumerateArray())
        {
            if (j.TryGetProperty("comment", out var c) && c.GetString() == Marker)
            {
                return j;
            }
        }

        return null;
    }

    private static List<string> Ids(JsonElement job) =>
        job.TryGetProperty("vmid", out var v) ? [.. (v.GetString() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : [];

    private static string VmId(ProviderRequest request) =>
        (request.Consumer.VmId ?? throw new ArgumentException($"module \"{request.Consumer.Name}\" has no vmid to back up")).ToString(CultureInfo.InvariantCulture);

    private static ValueTask<OperationResult> Guard(ProviderRequest request, Func<Task<OperationResult>> body, CancellationToken cancellationToken) =>
        ProviderGuard.RunAsync("backup:vm", request, body, cancellationToken);
}
