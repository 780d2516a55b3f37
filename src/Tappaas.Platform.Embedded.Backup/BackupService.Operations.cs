using Tappaas.Abstractions.Backups;

namespace Tappaas.Platform.Embedded.Backup;

/// <summary>The service as the daemon and CLI see backups: the platform-neutral <see cref="IBackupOperations"/>.</summary>
public sealed partial class BackupService : IBackupOperations
{
    async Task<BackupResult> IBackupOperations.BackupAsync(string module, CancellationToken cancellationToken) =>
        Result(await BackupAsync(module, cancellationToken), "backup");

    async Task<BackupResult> IBackupOperations.RestoreAsync(string module, string? snapshot, CancellationToken cancellationToken) =>
        Result(await RestoreAsync(module, snapshot, cancellationToken), "restore");

    async Task<BackupSnapshot> IBackupOperations.RestoreAsNewAsync(string module, string? snapshot, string newModule, CancellationToken cancellationToken)
    {
        var restored = await RestoreDiskAsAsync(module, snapshot, newModule, cancellationToken);
        return new BackupSnapshot(restored.ShortId, module, restored.Time ?? platform.Time.GetUtcNow());
    }

    async Task<BackupResult> IBackupOperations.BackupSiteAsync(CancellationToken cancellationToken) =>
        Result(await BackupSiteAsync(cancellationToken), "site-backup");

    async Task<BackupResult> IBackupOperations.VerifyAsync(string module, CancellationToken cancellationToken) =>
        Result(await VerifyAsync(module, cancellationToken), "verify");

    async Task<IReadOnlyList<BackupSnapshot>> IBackupOperations.ListAsync(string? module, CancellationToken cancellationToken) =>
        [.. (await ListAsync(module, cancellationToken)).Select(s => new BackupSnapshot(s.ShortId, ModuleOf(s), s.Time))];

    async Task<IReadOnlyList<BackupResult>> IBackupOperations.RunDueAsync(CancellationToken cancellationToken) =>
        [.. (await RunDueAsync(cancellationToken)).Select(r => Result(r.Outcome, r.Verify ? "verify" : "backup"))];

    IReadOnlyDictionary<string, BackupModuleStatus> IBackupOperations.Status() =>
        Status.Read().ToDictionary(kv => kv.Key, kv => new BackupModuleStatus(
            kv.Value.LastBackup is { } b ? Result(b, "backup") : null, kv.Value.LastVerify is { } v ? Result(v, "verify") : null,
            kv.Value.BackupFailures, kv.Value.VerifyFailures), StringComparer.Ordinal);

    /// <summary>The module a snapshot belongs to (its <c>module=</c> tag).</summary>
    public static string ModuleOf(ResticSnapshot snapshot) => snapshot.Tags?.Contains(SiteTag) == true ? "(site)" :
        snapshot.Tags?.FirstOrDefault(t => t.StartsWith("module=", StringComparison.Ordinal))?["module=".Length..] ?? "?";

    private static BackupResult Result(BackupOutcome o, string kind) => new()
    {
        Module = o.Module, Kind = kind, Succeeded = o.Succeeded, At = o.At, Message = o.Message, SnapshotId = o.SnapshotId, Seconds = o.Seconds,
        RestoreSeconds = o.RestoreSeconds, DataAgeSeconds = o.DataAgeSeconds,
    };
}
