using System.Security.Cryptography;
using System.Text;
using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Site;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Platform.Embedded.Backup;
using Tappaas.TestUtilities;

namespace Tappaas.Platform.Embedded.Tests;

/// <summary>Backups with the real restic: byte-for-byte restores, retention, loud failures, verify, schedules, update snapshots.</summary>
[Collection(nameof(GuestCollection))]
public sealed class BackupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string? ResticMissing => ResticRepository.Binary is null ? Prerequisites.Missing("restic (Debian package restic)") : null;

    [Fact]
    public async Task A_restore_brings_back_the_backed_up_bytes_exactly()
    {
        if (ResticMissing is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new BackupHarness();
        await h.InstallAsync(BackupHarness.Module("files"));
        var disk = h.Disk("files");
        Directory.CreateDirectory(Path.Combine(disk, "nested", "deeper"));
        await File.WriteAllBytesAsync(Path.Combine(disk, "random.bin"), RandomNumberGenerator.GetBytes(3 * 1024 * 1024), Ct);
        await File.WriteAllTextAsync(Path.Combine(disk, "nested", "deeper", "note.txt"), "kept", Ct);
        await File.WriteAllTextAsync(Path.Combine(disk, "doomed.txt"), "removed after the backup", Ct);
        var before = Tree(disk);

        var backup = await h.Service.BackupAsync("files", Ct);
        Assert.True(backup.Succeeded, backup.Message);

        await File.WriteAllBytesAsync(Path.Combine(disk, "random.bin"), RandomNumberGenerator.GetBytes(1024), Ct);
        File.Delete(Path.Combine(disk, "doomed.txt"));
        await File.WriteAllTextAsync(Path.Combine(disk, "new.txt"), "written after the backup", Ct);
        Assert.NotEqual(before, Tree(disk));

        var restore = await h.Service.RestoreAsync("files", null, Ct);
        Assert.True(restore.Succeeded, restore.Message);
        Assert.Equal(before, Tree(disk));
        Assert.Equal("running", h.Platform.Runtime.State("files-0")!.Status);
    }

    [Fact]
    public async Task Retention_removes_exactly_what_the_policy_says()
    {
        if (ResticMissing is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new BackupHarness();
        await h.InstallAsync(BackupHarness.Module("kept", extra: ", \"backupRetention\": {\"keepLast\": 2}"));
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(h.Disk("kept"), "n"), i.ToString(System.Globalization.CultureInfo.InvariantCulture), Ct);
            var outcome = await h.Service.BackupAsync("kept", Ct);
            Assert.True(outcome.Succeeded, outcome.Message);
            ids.Add(outcome.SnapshotId!);
        }

        var left = (await h.Service.ListAsync("kept", Ct)).Select(s => s.ShortId).ToList();
        Assert.Equal(ids.TakeLast(2), left);
    }

    [Fact]
    public async Task A_corrupted_repository_makes_backup_and_verify_fail_loudly()
    {
        if (ResticMissing is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new BackupHarness();
        await h.InstallAsync(BackupHarness.Module("fragile"));
        await File.WriteAllTextAsync(Path.Combine(h.Disk("fragile"), "data"), "precious", Ct);
        Assert.True((await h.Service.BackupAsync("fragile", Ct)).Succeeded);

        foreach (var file in Directory.GetFiles(Path.Combine(h.Layout.Root, "backups", "repository"), "*", SearchOption.AllDirectories)
            .Where(f => f.Contains("/data/", StringComparison.Ordinal) || f.Contains("/index/", StringComparison.Ordinal)))
        {
            File.SetAttributes(file, FileAttributes.Normal);
            await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes(512), Ct);
        }

        var backup = await h.Service.BackupAsync("fragile", Ct);
        Assert.False(backup.Succeeded);
        Assert.Contains("restic", backup.Message, StringComparison.Ordinal);
        var verify = await h.Service.VerifyAsync("fragile", Ct);
        Assert.False(verify.Succeeded);

        var status = h.Service.Status.Read()["fragile"];
        Assert.False(status.LastBackup!.Succeeded);
        Assert.False(status.LastVerify!.Succeeded);
        Assert.Equal(1, status.BackupFailures);
        Assert.Equal(1, status.VerifyFailures);
        var events = (await h.Store.ReadEventsAsync(0, 100, Ct)).Where(e => e.Module == "fragile").ToList();
        Assert.Contains(events, e => e.Kind == "backup-failed");
        Assert.Contains(events, e => e.Kind == "verify-failed");
        Assert.False(Directory.Exists(Path.Combine(h.Layout.Root, "guests", "verify-fragile-0")));
    }

    [Fact]
    public async Task Verify_restores_into_a_scratch_guest_checks_health_reports_rto_and_rpo_and_cleans_up()
    {
        if (ResticMissing is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new BackupHarness();
        Directory.CreateDirectory(h.Disk("checked"));
        await File.WriteAllTextAsync(Path.Combine(h.Disk("checked"), "index.html"), "restored page", Ct);
        await h.InstallAsync(BackupHarness.Module("checked", workload: BackupHarness.Web));
        Assert.True((await h.Service.BackupAsync("checked", Ct)).Succeeded);

        var verify = await h.Service.VerifyAsync("checked", Ct);
        Assert.True(verify.Succeeded, verify.Message);
        Assert.True(verify.RestoreSeconds > 0);
        Assert.True(verify.DataAgeSeconds >= 0);
        Assert.Contains("RTO", verify.Message, StringComparison.Ordinal);
        var recorded = h.Service.Status.Read()["checked"].LastVerify!;
        Assert.True(recorded.Succeeded);
        Assert.Equal(verify.RestoreSeconds, recorded.RestoreSeconds);
        Assert.False(Directory.Exists(Path.Combine(h.Layout.Root, "guests", "verify-checked-0")));
        Assert.False(Directory.Exists(h.Disk("verify-checked")));
        Assert.Equal("running", h.Platform.Runtime.State("checked-0")!.Status); // the original was not touched
    }

    [Fact]
    public async Task Schedules_decide_what_run_due_backs_up_including_always_backup_modules()
    {
        if (ResticMissing is { } why)
        {
            Assert.Skip(why);
        }

        var clock = new ManualClock(new DateTimeOffset(2026, 11, 27, 3, 30, 0, TimeSpan.Zero));
        await using var h = new BackupHarness(clock);
        await h.InstallAsync(BackupHarness.Module("nightly", extra: ", \"backupSchedule\": \"0 3 * * *\", \"verifySchedule\": \"0 3 * * *\""));
        await h.InstallAsync(BackupHarness.Module("firewall", deps: "\"cluster:vm\""));
        await h.InstallAsync(BackupHarness.Module("backup", deps: "\"cluster:vm\"", extra: ", \"alwaysBackup\": [\"firewall\"]"));
        await h.InstallAsync(BackupHarness.Module("ignored", deps: "\"cluster:vm\""));

        var first = await h.Service.RunDueAsync(Ct);
        // The site itself is backed up on the site's default schedule (03:00 here too).
        Assert.Equal(["firewall", "nightly", BackupService.SiteTag], first.Where(r => !r.Verify).Select(r => r.Outcome.Module).Order(StringComparer.Ordinal));
        Assert.Equal(["nightly"], first.Where(r => r.Verify).Select(r => r.Outcome.Module)); // its restore is verified on schedule too
        Assert.All(first, r => Assert.True(r.Outcome.Succeeded, r.Outcome.Message));
        var site = Assert.Single(await (await h.Service.RepositoryAsync(Ct)).SnapshotsAsync(BackupService.SiteTag, Ct));
        Assert.Equal(clock.Now, site.Time); // stamped by the platform's clock
        Assert.Equal(clock.Now, h.Service.LastSiteBackup()!.At);

        clock.Now = clock.Now.AddHours(1);
        Assert.Empty(await h.Service.RunDueAsync(Ct)); // 03:00 already covered

        clock.Now = clock.Now.AddDays(1);
        var next = await h.Service.RunDueAsync(Ct);
        Assert.Contains(next, r => r.Outcome.Module == "nightly");
        Assert.Contains(next, r => r.Outcome.Module == BackupService.SiteTag && r.Outcome.Succeeded);
    }

    [Fact]
    public async Task The_backup_test_wants_a_backup_younger_than_48_hours_once_a_module_is_older_than_that()
    {
        if (ResticMissing is { } why)
        {
            Assert.Skip(why);
        }

        var clock = new ManualClock(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        await using var h = new BackupHarness(clock);
        ModuleDefinition Installed(string name, TimeSpan ago) =>
            BackupHarness.Module(name, extra: $", \"installTime\": \"{(clock.Now - ago).ToString("yyyyMMdd-HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)}\"");
        var fresh = Installed("fresh", TimeSpan.FromHours(1));
        var old = Installed("old", TimeSpan.FromDays(3));
        await h.InstallAsync(fresh);
        await h.InstallAsync(old);
        Assert.True((await h.Platform.Backup.InstallAsync(Request(h, fresh), Ct)).Succeeded); // creates the repository

        var young = await h.Platform.Backup.TestAsync(Request(h, fresh), Ct);
        Assert.True(young.Succeeded, young.Message);
        Assert.Contains("no backup yet (installed 1.0 h ago", young.Output, StringComparison.Ordinal);
        var overdue = await h.Platform.Backup.TestAsync(Request(h, old), Ct);
        Assert.Equal(OperationStatus.Fatal, overdue.Status);
        Assert.Contains("old has no backup yet", overdue.Message, StringComparison.Ordinal);

        Assert.True((await h.Service.BackupAsync("old", Ct)).Succeeded);
        Assert.True((await h.Platform.Backup.TestAsync(Request(h, old), Ct)).Succeeded);
        clock.Now = clock.Now.AddHours(49);
        Assert.Contains("more than 48 h", (await h.Platform.Backup.TestAsync(Request(h, old), Ct)).Message, StringComparison.Ordinal);
    }

    private static ProviderRequest Request(BackupHarness h, ModuleDefinition module) =>
        new(module, ServiceRef.Parse("backup:vm"), h.Root, h.Layout.Root, HookFlags.None);

    [Fact]
    public async Task Backups_are_copied_off_site_and_module_hooks_quiesce_around_the_snapshot()
    {
        if (ResticMissing is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new BackupHarness(offsite: "offsite");
        await File.WriteAllTextAsync(Path.Combine(h.Folder, "pre-backup.sh"), "echo flushed > \"$PWD/../site/disks/$1/quiesced\"\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(h.Folder, "post-backup.sh"), "rm \"$PWD/../site/disks/$1/quiesced\"\n", Ct);
        await h.InstallAsync(BackupHarness.Module("hooked"));

        var backup = await h.Service.BackupAsync("hooked", Ct);
        Assert.True(backup.Succeeded, backup.Message);
        Assert.Contains("quiesced by pre-backup.sh", backup.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(h.Disk("hooked"), "quiesced"))); // post-backup.sh ran after the snapshot

        Assert.True((await h.Service.RestoreAsync("hooked", null, Ct)).Succeeded);
        Assert.Equal("flushed", (await File.ReadAllTextAsync(Path.Combine(h.Disk("hooked"), "quiesced"), Ct)).Trim()); // pre-backup.sh ran before it

        var offsite = new ResticRepository(Path.Combine(h.Root, "offsite"), Path.Combine(h.Layout.Root, "secrets", BackupService.PasswordSecret), Path.Combine(h.Root, "cache"));
        var copied = await offsite.SnapshotsAsync(BackupService.Tag("hooked"), Ct);
        Assert.Single(copied);
    }

    [Fact]
    public async Task A_bad_schedule_fails_the_backup_service_step_with_its_path()
    {
        await using var h = new BackupHarness();
        var module = BackupHarness.Module("typo", extra: ", \"backupSchedule\": \"every night\"");
        var result = await h.Platform.Backup.InstallAsync(new ProviderRequest(module, ServiceRef.Parse("backup:vm"), h.Folder, h.Layout.Root, HookFlags.None), Ct);
        Assert.False(result.Succeeded);
        Assert.Contains("$.backupSchedule", result.Message, StringComparison.Ordinal);
        Assert.Contains("0 3 * * *", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_update_snapshot_restores_the_disk_and_the_previous_guests()
    {
        await using var h = new BackupHarness();
        var v1 = BackupHarness.Module("snap");
        await h.InstallAsync(v1);
        await File.WriteAllTextAsync(Path.Combine(h.Disk("snap"), "state"), "v1 data", Ct);
        var request = new ProviderRequest(v1, ServiceRef.Parse("cluster:vm"), h.Folder, h.Layout.Root, HookFlags.None);
        var id = await h.Platform.Vm.CreateSnapshotAsync(request, Ct);

        var v2 = BackupHarness.Module("snap", workload: "{\"command\": \"/bin/sh\", \"args\": [\"-c\", \"echo v2 > $TAPPAAS_DATA/state; exec sleep 600\"]}");
        Assert.True((await h.Platform.Vm.UpdateAsync(new ProviderRequest(v2, ServiceRef.Parse("cluster:vm"), h.Folder, h.Layout.Root, HookFlags.None), Ct)).Succeeded);
        await GuestTests.WaitAsync(() => File.ReadAllText(Path.Combine(h.Disk("snap"), "state")).Trim() == "v2", TimeSpan.FromSeconds(10));

        var restored = await h.Platform.Vm.RestoreSnapshotAsync(request, id, Ct);
        Assert.True(restored.Succeeded, restored.Message);
        Assert.Equal("v1 data", await File.ReadAllTextAsync(Path.Combine(h.Disk("snap"), "state"), Ct));
        Assert.DoesNotContain("echo v2", string.Join(' ', h.Platform.Runtime.Spec("snap-0")!.Args), StringComparison.Ordinal);

        for (var i = 0; i < 3; i++)
        {
            await h.Platform.Vm.CreateSnapshotAsync(request, Ct);
        }

        await h.Platform.Vm.PruneSnapshotsAsync(request, 2, Ct);
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(h.Layout.Root, "snapshots", "snap")).Length);
    }

    [Fact]
    public void Policies_come_from_the_module_else_the_site_defaults_else_daily_with_the_default_retention()
    {
        var site = new Model.Site.SiteBackupSettings
        {
            Schedule = "30 2 * * 1", VerifySchedule = "0 6 * * 0", Retention = JsonSource.Parse("r", Encoding.UTF8.GetBytes("""{"keepLast": 9}""")).Root,
        };
        var plain = BackupHarness.Module("plain");
        var own = BackupHarness.Module("own", extra: ", \"backupSchedule\": \"15 4 * * *\", \"backupRetention\": {\"keepDaily\": 3}, \"verifySchedule\": \"none\"");

        var (fromSite, _) = BackupPolicy.For(plain, site);
        Assert.Equal(("30 2 * * 1", "keep-last 9", "0 6 * * 0"), (fromSite!.ScheduleText, fromSite.Retention.ToString(), fromSite.VerifyText));
        var (fromModule, _) = BackupPolicy.For(own, site);
        Assert.Equal(("15 4 * * *", "keep-daily 3", (string?)null), (fromModule!.ScheduleText, fromModule.Retention.ToString(), fromModule.VerifyText));
        var (defaults, _) = BackupPolicy.For(plain, null);
        Assert.Equal(("0 3 * * *", RetentionPolicy.Default.ToString()), (defaults!.ScheduleText, defaults.Retention.ToString()));

        var (_, error) = BackupPolicy.For(plain, new Model.Site.SiteBackupSettings { Retention = JsonSource.Parse("r", Encoding.UTF8.GetBytes("""{"keepForever": 1}""")).Root });
        Assert.Contains("keepForever", error, StringComparison.Ordinal);
    }

    private static string Tree(string folder) => string.Join("\n",
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => Path.GetRelativePath(folder, f) + " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))));

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
