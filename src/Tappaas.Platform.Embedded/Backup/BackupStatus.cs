using System.Text.Json;

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
    public IReadOnlyList<string> Forgotten { get; init; } = [];

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
        System.IO.File.Exists(File) ? JsonSerializer.Deserialize<Dictionary<string, ModuleBackupStatus>>(System.IO.File.ReadAllText(File)) ?? [] : [];

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

        Directory.CreateDirectory(Path.GetDirectoryName(File)!);
        System.IO.File.WriteAllText(File + ".tmp", JsonSerializer.Serialize(all, new JsonSerializerOptions { WriteIndented = true }));
        System.IO.File.Move(File + ".tmp", File, overwrite: true);
        WriteMetrics(all);
    }

    /// <summary>The metrics file (Prometheus text format, as node_exporter's textfile collector reads it).</summary>
    public string MetricsFile => Path.Combine(siteFolder, "metrics", "backup.prom");

    private void WriteMetrics(Dictionary<string, ModuleBackupStatus> all)
    {
        var b = new System.Text.StringBuilder();
        void Metric(string name, string help, string type, Func<ModuleBackupStatus, double?> value)
        {
            b.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            b.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (module, status) in all.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (value(status) is { } v)
                {
                    b.Append(name).Append("{module=\"").Append(module).Append("\"} ").Append(v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
                }
            }
        }

        Metric("tappaas_backup_last_success", "1 when the module's last backup succeeded, 0 when it failed.", "gauge", s => s.LastBackup is { } o ? (o.Succeeded ? 1 : 0) : null);
        Metric("tappaas_backup_last_run_timestamp_seconds", "When the module's last backup ran (Unix time).", "gauge", s => s.LastBackup?.At.ToUnixTimeSeconds());
        Metric("tappaas_backup_last_duration_seconds", "How long the module's last backup took.", "gauge", s => s.LastBackup?.Seconds);
        Metric("tappaas_backup_failures_total", "Failed backups of the module.", "counter", s => s.BackupFailures);
        Metric("tappaas_backup_verify_last_success", "1 when the module's last restore verification succeeded, 0 when it failed.", "gauge", s => s.LastVerify is { } o ? (o.Succeeded ? 1 : 0) : null);
        Metric("tappaas_backup_verify_restore_seconds", "Time to restore (RTO) measured by the last successful verification.", "gauge", s => s.LastVerify?.RestoreSeconds);
        Metric("tappaas_backup_verify_data_age_seconds", "Age of the data restored by the last successful verification (RPO).", "gauge", s => s.LastVerify?.DataAgeSeconds);
        Metric("tappaas_backup_verify_failures_total", "Failed restore verifications of the module.", "counter", s => s.VerifyFailures);
        Directory.CreateDirectory(Path.GetDirectoryName(MetricsFile)!);
        System.IO.File.WriteAllText(MetricsFile + ".tmp", b.ToString());
        System.IO.File.Move(MetricsFile + ".tmp", MetricsFile, overwrite: true);
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
