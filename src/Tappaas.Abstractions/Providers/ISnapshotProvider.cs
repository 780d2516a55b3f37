namespace Tappaas.Abstractions.Providers;

/// <summary>A provider that can snapshot a consumer's guest before an update and restore it on rollback.</summary>
public interface ISnapshotProvider
{
    /// <summary>Takes a snapshot and returns its id (deterministic per module and time: <c>tappaas-YYYYMMDD-HHMMSS</c>).</summary>
    ValueTask<string> CreateSnapshotAsync(ProviderRequest request, CancellationToken cancellationToken);

    /// <summary>Restores a snapshot taken by <see cref="CreateSnapshotAsync"/>.</summary>
    ValueTask<OperationResult> RestoreSnapshotAsync(ProviderRequest request, string snapshotId, CancellationToken cancellationToken);

    /// <summary>Deletes the oldest snapshots beyond <paramref name="keep"/>.</summary>
    ValueTask PruneSnapshotsAsync(ProviderRequest request, int keep, CancellationToken cancellationToken);
}
