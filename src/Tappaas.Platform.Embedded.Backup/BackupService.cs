using System.Diagnostics;
using System.Security.Cryptography;
using Tappaas.Abstractions.Providers;
using Tappaas.Abstractions.Secrets;
using Tappaas.Abstractions.State;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Model.Site;
using Tappaas.Platform.Embedded.Host;

namespace Tappaas.Platform.Embedded.Backup;

/// <summary>
/// <c>backup:vm</c> on the embedded platform: a module's disk (its data folder) backed up with restic into the site
/// repository (<c>tappaas.backup.repository</c>, default <c>&lt;site&gt;/backups/repository</c>; an optional
/// <c>tappaas.backup.offsite</c> repository gets a copy), the guests paused for a consistent copy — or quiesced by the
/// module's own <c>pre-backup.sh</c>/<c>post-backup.sh</c> — then the retention policy applied. Restores replace the disk
/// and bring the guests back healthy; verify restores into a scratch guest in an isolated zone and runs the module's
/// health checks. Every outcome is recorded as an event and in <c>backups/status.json</c>; a failure is never reported
/// as success.
/// </summary>
public sealed partial class BackupService(IBackupGuests platform, IStateStore? store)
{
    public const string PasswordSecret = "restic-password";

    private string Site => platform.SiteFolder;

    public BackupStatus Status { get; } = new(platform.SiteFolder);

    /// <summary>The site's <c>tappaas.backup</c> settings (read anew: a backup is a run of its own).</summary>
    public SiteBackupSettings SiteDefaults() => SiteSnapshot.Read(Path.Combine(Site, "config")).Backup;

    /// <summary>The site repository (created on first use, with a generated password in the site secret store).</summary>
    public async Task<ResticRepository> RepositoryAsync(CancellationToken cancellationToken)
    {
        var secrets = new SiteSecrets(Site);
        if (secrets.Get(PasswordSecret) is null)
        {
            secrets.Set(PasswordSecret, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        var location = SiteDefaults().Repository ?? Path.Combine(Site, "backups", "repository");
        var repository = new ResticRepository(location, Path.Combine(secrets.Folder, PasswordSecret), Path.Combine(Site, "backups", "cache"));
        await repository.EnsureAsync(cancellationToken);
        return repository;
    }

    /// <summary>The modules the site backs up: those depending on backup:vm and those listed in an installed module's alwaysBackup.</summary>
    public IReadOnlyList<ModuleDefinition> Covered()
    {
        var installed = platform.Installed();
        var always = installed.SelectMany(m => m.Strings("alwaysBackup")).ToHashSet(StringComparer.Ordinal);
        return [.. installed.Where(m => m.DependsOnService("backup:vm") || always.Contains(m.Name))];
    }

    public static string Tag(string module) => $"module={module}";

    /// <summary>Backs up one installed module's disk, applies its retention policy and copies off-site when configured.</summary>
    public async Task<BackupOutcome> BackupAsync(string module, CancellationToken cancellationToken)
    {
        var started = platform.Time.GetTimestamp();
        var at = platform.Time.GetUtcNow();
        try
        {
            var definition = Installed(module);
            var (policy, policyError) = BackupPolicy.For(definition, SiteDefaults());
            if (policy is null)
            {
                throw new ResticException(policyError!);
            }

            var disk = Path.Combine(Site, "disks", module);
            Directory.CreateDirectory(disk);
            var repository = await RepositoryAsync(cancellationToken);
            ResticSummary summary;
            double paused;
            var folder = platform.ModuleFolder(module);
            var hooks = folder is not null && File.Exists(Path.Combine(folder, "pre-backup.sh"));
            var pause = platform.Time.GetTimestamp();
            if (hooks)
            {
                await HookAsync(folder!, "pre-backup.sh", module, cancellationToken);
                try
                {
                    summary = await repository.BackupAsync(disk, [Tag(module), "tappaas"], at, cancellationToken);
                }
                finally
                {
                    if (File.Exists(Path.Combine(folder!, "post-backup.sh")))
                    {
                        await HookAsync(folder!, "post-backup.sh", module, CancellationToken.None);
                    }
                }
            }
            else
            {
                await using (await platform.PauseAsync(module, cancellationToken))
                {
                    summary = await repository.BackupAsync(disk, [Tag(module), "tappaas"], at, cancellationToken);
                }
            }

            paused = platform.Time.GetElapsedTime(pause).TotalSeconds;
            if (!repository.IsLocal)
            {
                // A snapshot is only as good as the repository: check a remote one's structure with a fresh cache, so damage is found now.
                await repository.CheckAsync(readData: false, cancellationToken);
            }
            var forgotten = await repository.ForgetAsync(Tag(module), policy.Retention, cancellationToken);
            if (SiteDefaults().Offsite is { Length: > 0 } offsite)
            {
                var secrets = new SiteSecrets(Site);
                await repository.CopyToAsync(new ResticRepository(offsite, Path.Combine(secrets.Folder, PasswordSecret), Path.Combine(Site, "backups", "cache")), Tag(module), cancellationToken);
            }

            return await RecordAsync(new BackupOutcome
            {
                Module = module, Succeeded = true, At = at, SnapshotId = summary.SnapshotId, BytesAdded = summary.DataAdded,
                Seconds = platform.Time.GetElapsedTime(started).TotalSeconds, PausedSeconds = hooks ? 0 : paused, Forgotten = forgotten,
                Message = $"snapshot {summary.SnapshotId}: {DiskUsage.Text(summary.BytesProcessed)} read, {DiskUsage.Text(summary.DataAdded)} added" +
                    (hooks ? ", quiesced by pre-backup.sh" : $", guests paused {paused:0.0} s") + (forgotten.Count > 0 ? $", {forgotten.Count} old snapshot(s) removed ({policy.Retention})" : ""),
            }, verify: false, cancellationToken);
        }
        catch (Exception ex) when (ex is ResticException or InvalidOperationException or IOException)
        {
            return await RecordAsync(new BackupOutcome { Module = module, Succeeded = false, At = at, Seconds = platform.Time.GetElapsedTime(started).TotalSeconds, Message = ex.Message }, verify: false, cancellationToken);
        }
    }

    /// <summary>The snapshots of a module (all modules when null), oldest first.</summary>
    public async Task<IReadOnlyList<ResticSnapshot>> ListAsync(string? module, CancellationToken cancellationToken) =>
        await (await RepositoryAsync(cancellationToken)).SnapshotsAsync(module is null ? "tappaas" : Tag(module), cancellationToken);

    /// <summary>Restores a module's disk in place: the guests stop, the disk is replaced, the guests start and must become healthy.</summary>
    public async Task<BackupOutcome> RestoreAsync(string module, string? snapshotId, CancellationToken cancellationToken)
    {
        var started = platform.Time.GetTimestamp();
        var at = platform.Time.GetUtcNow();
        try
        {
            Installed(module);
            var repository = await RepositoryAsync(cancellationToken);
            RestoredSnapshot? restored = null;
            await platform.ReplaceDiskAsync(module, async staging => restored = await repository.RestoreAsync(snapshotId ?? "latest", Tag(module), module, staging, cancellationToken), cancellationToken);
            var outcome = new BackupOutcome
            {
                Module = module, Succeeded = true, At = at, SnapshotId = restored!.ShortId, Seconds = platform.Time.GetElapsedTime(started).TotalSeconds,
                Message = $"restored {restored.ShortId}{(restored.Time is { } t ? $" of {t.ToUniversalTime():u}" : "")}; guests healthy",
            };
            await EventAsync(module, "restored", outcome.Message, cancellationToken);
            return outcome;
        }
        catch (Exception ex) when (ex is ResticException or InvalidOperationException or IOException)
        {
            await EventAsync(module, "restore-failed", ex.Message, cancellationToken);
            return new BackupOutcome { Module = module, Succeeded = false, At = at, Message = Friendly(ex.Message, module) };
        }
    }

    /// <summary>Restores a module's backup as the disk of another (new) module, before that module is installed.</summary>
    public async Task<RestoredSnapshot> RestoreDiskAsAsync(string module, string? snapshotId, string newModule, CancellationToken cancellationToken)
    {
        var repository = await RepositoryAsync(cancellationToken);
        var disk = Path.Combine(Site, "disks", newModule);
        if (Directory.Exists(disk) && Directory.EnumerateFileSystemEntries(disk).Any())
        {
            throw new ResticException($"the disk of {newModule} ({disk}) already holds data; pick another name or remove it");
        }

        if (Directory.Exists(disk))
        {
            Directory.Delete(disk);
        }

        return await repository.RestoreAsync(snapshotId ?? "latest", Tag(module), module, disk, cancellationToken);
    }

    /// <summary>restic's "no snapshot found" in the platform's words.</summary>
    private static string Friendly(string message, string module) =>
        message.Contains("no snapshot found", StringComparison.OrdinalIgnoreCase) || message.Contains("no matching ID", StringComparison.OrdinalIgnoreCase)
            ? $"{module} has no such backup; tappaas backups {module} lists them ({message})"
            : message;

    /// <summary>
    /// Restores the newest backup into a scratch guest in an isolated zone, waits for the module's health checks, reports
    /// the time to restore (RTO) and the data's age (RPO), then removes the scratch guest.
    /// </summary>
    public async Task<BackupOutcome> VerifyAsync(string module, CancellationToken cancellationToken)
    {
        var at = platform.Time.GetUtcNow();
        var scratchName = $"verify-{module}";
        ProviderRequest? request = null;
        try
        {
            var definition = Installed(module);
            var repository = await RepositoryAsync(cancellationToken);
            var started = platform.Time.GetTimestamp();
            var scratch = Scratch(definition, scratchName);
            request = new ProviderRequest(scratch, ServiceRef.Parse("cluster:vm"), platform.ModuleFolder(module) ?? Site, Site, HookFlags.None);
            await platform.Guests.DeleteAsync(request, cancellationToken); // a leftover of an interrupted verify
            var disk = Path.Combine(Site, "disks", scratchName);
            if (Directory.Exists(disk))
            {
                Directory.Delete(disk, recursive: true);
            }

            var snapshot = await repository.RestoreAsync("latest", Tag(module), module, disk, cancellationToken);
            var result = await platform.Guests.InstallAsync(request, cancellationToken);
            var rto = platform.Time.GetElapsedTime(started).TotalSeconds;
            var rpo = (at - (snapshot.Time ?? at)).TotalSeconds;
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"the restored copy of {snapshot.ShortId} did not pass its health checks: {result.Message}");
            }

            return await RecordAsync(new BackupOutcome
            {
                Module = module, Succeeded = true, At = at, SnapshotId = snapshot.ShortId, RestoreSeconds = rto, DataAgeSeconds = rpo, Seconds = rto,
                Message = $"restored {snapshot.ShortId} into a scratch guest and it passed its health checks: time to restore {rto:0.0} s (RTO), data age {Age(rpo)} (RPO)",
            }, verify: true, cancellationToken);
        }
        catch (Exception ex) when (ex is ResticException or InvalidOperationException or IOException or ArgumentException)
        {
            return await RecordAsync(new BackupOutcome { Module = module, Succeeded = false, At = at, Message = Friendly(ex.Message, module) }, verify: true, cancellationToken);
        }
        finally
        {
            if (request is not null)
            {
                await platform.Guests.DeleteAsync(request, CancellationToken.None);
            }

            var disk = Path.Combine(Site, "disks", scratchName);
            if (Directory.Exists(disk))
            {
                Directory.Delete(disk, recursive: true);
            }
        }
    }

    /// <summary>Runs the backups and verifies whose schedule came due since their last run.</summary>
    public async Task<IReadOnlyList<(BackupOutcome Outcome, bool Verify)>> RunDueAsync(CancellationToken cancellationToken)
    {
        var results = new List<(BackupOutcome, bool)>();
        var now = platform.Time.GetUtcNow();
        var status = Status.Read();
        foreach (var module in Covered())
        {
            var (policy, error) = BackupPolicy.For(module, SiteDefaults());
            if (policy is null)
            {
                results.Add((await RecordAsync(new BackupOutcome { Module = module.Name, Succeeded = false, At = now, Message = error! }, false, cancellationToken), false));
                continue;
            }

            var last = status.GetValueOrDefault(module.Name);
            if (BackupPolicy.Due(policy.Schedule, last?.LastBackup?.At, now))
            {
                results.Add((await BackupAsync(module.Name, cancellationToken), false));
            }

            if (policy.Verify is { } verify && BackupPolicy.Due(verify, last?.LastVerify?.At, now))
            {
                results.Add((await VerifyAsync(module.Name, cancellationToken), true));
            }
        }

        if (SiteBackupDue(now))
        {
            results.Add((await BackupSiteAsync(cancellationToken), false)); // the site itself, on the site's default schedule
        }

        return results;
    }

    private ModuleDefinition Installed(string module) =>
        platform.Installed().FirstOrDefault(m => m.Name == module) ?? throw new InvalidOperationException($"module \"{module}\" is not installed in this site");

    /// <summary>The module as a scratch guest: its workload, in the isolated scratch zone, needing nothing else.</summary>
    private ModuleDefinition Scratch(ModuleDefinition module, string name)
    {
        var flat = module.ToFlat();
        var props = flat.Properties.Where(p => p.Name is not ("zone0" or "zone1" or "vmname" or "ip" or "dependsOn" or "provides")).ToList();
        props.Add(new JProperty("zone0", new JString(platform.ScratchZone)));
        props.Add(new JProperty("vmname", new JString(name)));
        props.Add(new JProperty("dependsOn", new JArray([new JString("cluster:vm")])));
        return new ModuleDefinition(name, name + ".json", new JObject(props));
    }

    private async Task<BackupOutcome> RecordAsync(BackupOutcome outcome, bool verify, CancellationToken cancellationToken)
    {
        Status.Record(outcome, verify);
        var kind = (verify ? "verify" : "backup") + (outcome.Succeeded ? "" : "-failed");
        await EventAsync(outcome.Module, kind, outcome.Message, cancellationToken);
        return outcome;
    }

    private async Task EventAsync(string module, string kind, string message, CancellationToken cancellationToken)
    {
        if (store is not null)
        {
            await store.AppendEventAsync(module, kind, message, cancellationToken);
        }
    }

    private static async Task HookAsync(string folder, string script, string module, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo("/bin/sh", [Path.Combine(folder, script), module]) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = p.StandardError.ReadToEndAsync(cancellationToken);
        await p.WaitForExitAsync(cancellationToken);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} of {module} failed (exit {p.ExitCode}): {(await error + await output).Trim()}");
        }
    }

    private static string Age(double seconds) => seconds switch
    {
        < 120 => $"{seconds:0} s",
        < 7200 => $"{seconds / 60:0} min",
        < 172800 => $"{seconds / 3600:0.0} h",
        _ => $"{seconds / 86400:0.0} days",
    };
}
