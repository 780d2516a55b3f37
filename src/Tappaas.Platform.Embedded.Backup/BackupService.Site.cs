using System.Diagnostics;
using System.Text.Json;
using Tappaas.Abstractions.Secrets;
using Tappaas.IO;
using Tappaas.Model.Modules;
using Tappaas.Platform.Embedded.Host;

namespace Tappaas.Platform.Embedded.Backup;

/// <summary>
/// The platform's own backup: what a site is besides its guests' disks — the state store (a consistent copy taken
/// while it is in use), the config folder, the CA, the secrets, the module repository and uploads, and the modules'
/// host ids — as one restic snapshot tagged <see cref="SiteTag"/> in the site repository, on the site's default backup
/// schedule (<c>tappaas.backup.schedule</c>) with its default retention, copied off-site like a module's. The last
/// outcome is kept in <c>backups/site-status.json</c>. <c>tappaas site restore</c> brings a site back from it.
/// </summary>
public sealed partial class BackupService
{
    /// <summary>The tag of the site's own snapshots (and the name of the folder they hold).</summary>
    public const string SiteTag = "site";

    /// <summary>The parts of the site folder a site backup holds, besides the state store's copy (in <c>state/</c>).</summary>
    public static readonly IReadOnlyList<string> SiteParts = ["config", "ca", "secrets", "repository", "uploads", Path.Combine("images", "host-ids.json")];

    private string SiteStatusFile => Path.Combine(Site, "backups", "site-status.json");

    /// <summary>The last site backup's outcome, or null before the first.</summary>
    public BackupOutcome? LastSiteBackup() =>
        File.Exists(SiteStatusFile) ? JsonSerializer.Deserialize(File.ReadAllText(SiteStatusFile), BackupJson.Default.BackupOutcome) : null;

    /// <summary>Backs up the site itself now (see the type's summary); a failure is the outcome's message, and an event.</summary>
    public async Task<BackupOutcome> BackupSiteAsync(CancellationToken cancellationToken)
    {
        var started = platform.Time.GetTimestamp();
        var at = platform.Time.GetUtcNow();
        var stage = Path.Combine(Site, "backups", SiteTag);
        try
        {
            if (store is null)
            {
                throw new InvalidOperationException("the site's state store is not open here");
            }

            var retention = SiteRetention();
            var repository = await RepositoryAsync(cancellationToken);
            if (Directory.Exists(stage))
            {
                Directory.Delete(stage, recursive: true); // a crash's leftover
            }

            Directory.CreateDirectory(stage); // in the site folder, which is the daemon's alone
            foreach (var part in SiteParts.Where(p => Path.Exists(Path.Combine(Site, p))))
            {
                await CopyAsync(Path.Combine(Site, part), Path.Combine(stage, part), cancellationToken);
            }

            var copy = await store.CopyToAsync(Path.Combine(stage, "state"), cancellationToken);
            var summary = await repository.BackupAsync(stage, [SiteTag, "tappaas"], at, cancellationToken);
            var forgotten = await repository.ForgetAsync(SiteTag, retention, cancellationToken);
            if (SiteDefaults().Offsite is { Length: > 0 } offsite)
            {
                await repository.CopyToAsync(new ResticRepository(offsite, Path.Combine(new SiteSecrets(Site).Folder, PasswordSecret), Path.Combine(Site, "backups", "cache")), SiteTag, cancellationToken);
            }

            return await RecordSiteAsync(new BackupOutcome
            {
                Module = SiteTag, Succeeded = true, At = at, SnapshotId = summary.SnapshotId, BytesAdded = summary.DataAdded, Forgotten = forgotten,
                Seconds = platform.Time.GetElapsedTime(started).TotalSeconds,
                Message = $"site snapshot {summary.SnapshotId}: the state store ({copy}) and {string.Join(", ", SiteParts.Where(p => Path.Exists(Path.Combine(Site, p))))}; " +
                    $"{DiskUsage.Text(summary.BytesProcessed)} read, {DiskUsage.Text(summary.DataAdded)} added" + (forgotten.Count > 0 ? $", {forgotten.Count} old snapshot(s) removed ({retention})" : ""),
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is ResticException or InvalidOperationException or IOException)
        {
            return await RecordSiteAsync(new BackupOutcome { Module = SiteTag, Succeeded = false, At = at, Seconds = platform.Time.GetElapsedTime(started).TotalSeconds, Message = $"site backup: {ex.Message}" }, cancellationToken);
        }
        finally
        {
            if (Directory.Exists(stage))
            {
                Directory.Delete(stage, recursive: true);
            }
        }
    }

    /// <summary>Whether the site's own backup came due (on the site's default schedule) since the last one.</summary>
    private bool SiteBackupDue(DateTimeOffset now) => SitePolicy() is { Policy: { } policy } && BackupPolicy.Due(policy.Schedule, LastSiteBackup()?.At, now);

    private RetentionPolicy SiteRetention() => SitePolicy() is { Policy: { } policy } ? policy.Retention : throw new InvalidOperationException(SitePolicy().Error);

    /// <summary>The site defaults as a policy (a module that sets nothing of its own).</summary>
    private (BackupPolicy? Policy, string? Error) SitePolicy() => BackupPolicy.For(new ModuleDefinition(SiteTag, SiteTag + ".json", new Model.Json.JObject([])), SiteDefaults());

    private async Task<BackupOutcome> RecordSiteAsync(BackupOutcome outcome, CancellationToken cancellationToken)
    {
        AtomicFile.Write(SiteStatusFile, JsonSerializer.Serialize(outcome, BackupJson.Default.BackupOutcome));
        await EventAsync(SiteTag, outcome.Succeeded ? "site-backup" : "site-backup-failed", outcome.Message, cancellationToken);
        return outcome;
    }

    /// <summary>Copies a file or folder as it is (modes, owners, links): <c>cp -a</c>.</summary>
    public static async Task CopyAsync(string from, string to, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        using var cp = Process.Start(new ProcessStartInfo("cp", ["-a", "--", from, to]) { RedirectStandardError = true }) ?? throw new IOException("cannot run cp");
        var error = await cp.StandardError.ReadToEndAsync(cancellationToken);
        await cp.WaitForExitAsync(cancellationToken);
        if (cp.ExitCode != 0)
        {
            throw new IOException($"cannot copy {from} to {to}: {error.Trim()}");
        }
    }
}
