using System.Text.Json;
using Tappaas.IO;


namespace Tappaas.Platform.Embedded.Backup;

/// <summary>The outcome of one backup or verify run.</summary>
public sealed record BackupOutcome
{
    public required string Module { get; init; }

    public required bool Succeeded { get; init; }

    public required DateTimeOffset At { get; init; }

    public required string Message { get; init; }

    public string? SnapshotId { get; init; }

    public double Seconds { get; init; }

    public long BytesAdded { get; init; }

    /// <summary>How long the guests were paused for a consistent copy.</summary>
    public double PausedSeconds { get; init; }

    /// <summary>Snapshots the retention policy removed.</summary>
    public IReadOnlyList<string> Forgotten { get; set; } = []; // settable: generated JSON code would leave it null for a status.json without it

    /// <summary>Verify: time from the start of the restore until the scratch guest was healthy.</summary>
    public double? RestoreSeconds { get; init; }

    /// <summary>Verify: age of the restored data (now minus the snapshot's time).</summary>
    public double? DataAgeSeconds { get; init; }
}

/// <summary>The last backup and verify of each module, kept in <c>&lt;site&gt;/backups/status.json</c> (read by status and metrics).</summary>
public sealed class BackupStatus(string siteFolder)
{
    private string File => Path.Combine(siteFolder, "backups", "status.json");

    public Dictionary<string, ModuleBackupStatus> Read() =>
        System.IO.File.Exists(File) ? JsonSerializer.Deserialize(System.IO.File.ReadAllText(File), BackupJson.Default.DictionaryStringModuleBackupStatus) ?? [] : [];

    public void Record(BackupOutcome outcome, bool verify)
    {
        var all = Read();
        var entry = all.GetValueOrDefault(outcome.Module) ?? new ModuleBackupStatus();
        all[outcome.Module] = verify ? entry with { LastVerify = outcome } : entry with { LastBackup = outcome };
        if (!outcome.Succeeded)
        {
            all[outcome.Module] = all[outcome.Module] with
            {
                BackupFailures = all[outcome.Module].BackupFailures + (verify ? 0 : 1),
                VerifyFailures = all[outcome.Module].VerifyFailures + (verify ? 1 : 0),
            };
        }

        AtomicFile.Write(File, JsonSerializer.Serialize(all, BackupJson.Indented.DictionaryStringModuleBackupStatus));
    }
}

/// <summary>A module's last backup and last verify.</summary>
public sealed record ModuleBackupStatus
{
    public BackupOutcome? LastBackup { get; init; }

    public BackupOutcome? LastVerify { get; init; }

    public int BackupFailures { get; init; }

    public int VerifyFailures { get; init; }
}
