namespace Tappaas.Abstractions.Backups;

/// <summary>
/// A platform's backups of modules' data, as the API and CLI use them: back up now, restore, verify a restore, list,
/// run what came due, and each module's last outcomes.
/// </summary>
public interface IBackupOperations
{
    Task<BackupResult> BackupAsync(string module, CancellationToken cancellationToken);

    /// <summary>Restores the module's data from a backup (the newest when <paramref name="snapshot"/> is null).</summary>
    Task<BackupResult> RestoreAsync(string module, string? snapshot, CancellationToken cancellationToken);

    /// <summary>Restores a module's backup as the data of a new module (installed afterwards by the caller); returns the snapshot used.</summary>
    Task<BackupSnapshot> RestoreAsNewAsync(string module, string? snapshot, string newModule, CancellationToken cancellationToken);

    /// <summary>Restores the newest backup into a scratch guest and checks its health.</summary>
    Task<BackupResult> VerifyAsync(string module, CancellationToken cancellationToken);

    /// <summary>The backups of a module, or of all (null), oldest first.</summary>
    Task<IReadOnlyList<BackupSnapshot>> ListAsync(string? module, CancellationToken cancellationToken);

    /// <summary>Backs up the site itself (its state, configuration, CA, secrets and module repository), not a module's data.</summary>
    Task<BackupResult> BackupSiteAsync(CancellationToken cancellationToken);

    /// <summary>Runs the backups and verifications whose schedule came due.</summary>
    Task<IReadOnlyList<BackupResult>> RunDueAsync(CancellationToken cancellationToken);

    /// <summary>Each module's last backup and verification.</summary>
    IReadOnlyDictionary<string, BackupModuleStatus> Status();
}

/// <summary>What one backup, restore or verification did.</summary>
public sealed record BackupResult
{
    public required string Module { get; init; }

    /// <summary>backup, restore or verify.</summary>
    public required string Kind { get; init; }

    public bool Succeeded { get; init; }

    public DateTimeOffset At { get; init; }

    public string Message { get; init; } = "";

    public string? SnapshotId { get; init; }

    public double Seconds { get; init; }

    /// <summary>Verification: time to restore (RTO).</summary>
    public double? RestoreSeconds { get; init; }

    /// <summary>Verification: age of the restored data (RPO).</summary>
    public double? DataAgeSeconds { get; init; }
}

/// <summary>One backup of a module.</summary>
public sealed record BackupSnapshot(string ShortId, string Module, DateTimeOffset Time);

/// <summary>A module's last backup and verification, and how many failed.</summary>
public sealed record BackupModuleStatus(BackupResult? LastBackup, BackupResult? LastVerify, int BackupFailures, int VerifyFailures);
