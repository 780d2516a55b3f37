using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Site;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Platform.Embedded;
using Tappaas.Platform.Embedded.Backup;

namespace Tappaas.Bench;

/// <summary>
/// Backup and restore of a 1 GiB guest disk through the platform (guest paused, repository checked, retention applied;
/// restore with the guest stopped, the disk swapped and the guest healthy again) against the restic CLI run by hand on
/// the same data into a fresh repository, in the same run (backup then forget with the same retention; restore). Target: a ratio (hand time / platform time) of at least 0.9
/// for both; an incremental backup of unchanged data under 2 s.
/// </summary>
internal static class BackupBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var mib = args.Length > 1 && args[0] == "--mib" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1024;
        var root = Path.Combine("/var/tmp", "tappaas-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var layout = new SiteLayout(Path.Combine(root, "site"));
        SiteInitializer.Initialize(layout, "example.org", new Dictionary<string, string>(), []);
        var platform = new EmbeddedPlatform(layout.Root, EmbeddedPlatform.CanIsolate, TimeProvider.System);
        var module = new ModuleDefinition("data", "data.json", (JObject)JsonSource.Parse("data", Encoding.UTF8.GetBytes(
            "{\"vmid\": 400, \"zone0\": \"srvHome\", \"dependsOn\": [\"cluster:vm\", \"backup:vm\"], \"backupRetention\": {\"keepLast\": 5}, \"config\": {\"cluster:vm\": {\"image\": \"x\", \"memory\": 256, \"cores\": 1, " +
            "\"workload\": {\"command\": \"/bin/sleep\", \"args\": [\"3600\"], \"stopGrace\": \"1s\"}}}}")).Root!);
        var request = new ProviderRequest(module, ServiceRef.Parse("cluster:vm"), root, layout.Root, HookFlags.None);
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "hand"));
            var disk = Path.Combine(layout.Root, "disks", "data");
            Directory.CreateDirectory(disk);
            Console.WriteLine($"backup benchmark: a {mib} MiB guest disk (random data in 16 MiB files), isolation: {(platform.Isolate ? "namespaces" : "none")}");
            var block = new byte[16 * 1024 * 1024];
            for (var i = 0; i < mib / 16; i++)
            {
                RandomNumberGenerator.Fill(block);
                await File.WriteAllBytesAsync(Path.Combine(disk, $"part-{i:000}.bin"), block);
            }

            var install = await platform.Vm.InstallAsync(request, CancellationToken.None);
            if (!install.Succeeded)
            {
                throw new InvalidOperationException(install.Message);
            }

            File.WriteAllText(layout.ModuleFile("data"), JsonText.Write(module.Root));

            // Four rounds, each side into a fresh repository after a sync (so one side's write-back does not slow the other);
            // the best time of each side counts.
            var (handBackup, handRestore, ourBackup, ourRestore, incrementalSeconds) = (double.MaxValue, double.MaxValue, double.MaxValue, double.MaxValue, double.MaxValue);
            var service = new BackupService(platform, null);
            BackupOutcome? ours = null;
            async Task<(double Backup, double Restore)> HandAsync()
            {
                // By hand: restic init, backup and forget with the module's retention (the same work), restore into an empty folder.
                var hand = Path.Combine(root, "hand");
                if (Directory.Exists(hand))
                {
                    Directory.Delete(hand, recursive: true);
                }

                Directory.CreateDirectory(hand);
                var handRepo = Path.Combine(hand, "repository");
                var password = Path.Combine(hand, "password");
                await File.WriteAllTextAsync(password, "benchmark");
                await Restic(handRepo, password, hand, "init");
                await Sync();
                var backupTime = await Restic(handRepo, password, Path.GetDirectoryName(disk)!, "backup", "data")
                    + await Restic(handRepo, password, root, "forget", "--keep-last", "5");
                await Sync();
                var restoreTime = await Restic(handRepo, password, root, "restore", "latest", "--target", Path.Combine(hand, "restored"));
                Directory.Delete(Path.Combine(hand, "restored"), recursive: true);
                await Sync();
                return (backupTime, restoreTime);
            }

            async Task<(double Backup, double Restore, double Incremental)> OursAsync()
            {
                // Through the platform, into a fresh site repository.
                var siteRepo = Path.Combine(layout.Root, "backups", "repository");
                if (Directory.Exists(siteRepo))
                {
                    Directory.Delete(siteRepo, recursive: true);
                }

                await service.RepositoryAsync(CancellationToken.None); // the site repository exists once the site backs up anything
                await Sync();
                var sw = Stopwatch.StartNew();
                ours = await service.BackupAsync("data", CancellationToken.None);
                var backupTime = sw.Elapsed.TotalSeconds;
                if (!ours.Succeeded)
                {
                    throw new InvalidOperationException(ours.Message);
                }

                sw.Restart();
                var incremental = await service.BackupAsync("data", CancellationToken.None);
                var incrementalTime = sw.Elapsed.TotalSeconds;
                await Sync();
                sw.Restart();
                var restored = await service.RestoreAsync("data", null, CancellationToken.None);
                var restoreTime = sw.Elapsed.TotalSeconds;
                if (!incremental.Succeeded || !restored.Succeeded)
                {
                    throw new InvalidOperationException(incremental.Message + " / " + restored.Message);
                }

                await Sync();
                return (backupTime, restoreTime, incrementalTime);
            }

            // Alternating which side goes first, so neither always runs on a warmer or cooler machine.
            for (var round = 0; round < 4; round++)
            {
                (double Backup, double Restore) h;
                (double Backup, double Restore, double Incremental) o;
                if (round % 2 == 0)
                {
                    h = await HandAsync();
                    o = await OursAsync();
                }
                else
                {
                    o = await OursAsync();
                    h = await HandAsync();
                }

                handBackup = Math.Min(handBackup, h.Backup);
                handRestore = Math.Min(handRestore, h.Restore);
                ourBackup = Math.Min(ourBackup, o.Backup);
                ourRestore = Math.Min(ourRestore, o.Restore);
                incrementalSeconds = Math.Min(incrementalSeconds, o.Incremental);
                Console.WriteLine($"  round {round + 1}: backup by hand {h.Backup:0.00} s, platform {o.Backup:0.00} s; restore by hand {h.Restore:0.00} s, platform {o.Restore:0.00} s; incremental {o.Incremental:0.00} s");
            }

            var backupRatio = handBackup / ourBackup;
            var restoreRatio = handRestore / ourRestore;
            Console.WriteLine($"backup   by hand {handBackup,6:0.00} s   platform {ourBackup,6:0.00} s ({mib / ourBackup:0} MiB/s, paused {ours!.PausedSeconds:0.00} s)   ratio {backupRatio:0.00} (target >= 0.9) {(backupRatio >= 0.9 ? "PASS" : "FAIL")}");
            Console.WriteLine($"restore  by hand {handRestore,6:0.00} s   platform {ourRestore,6:0.00} s (guest stopped, disk swapped, healthy again)   ratio {restoreRatio:0.00} (target >= 0.9) {(restoreRatio >= 0.9 ? "PASS" : "FAIL")}");
            Console.WriteLine($"incremental backup of unchanged data: {incrementalSeconds:0.00} s (target < 2 s) {(incrementalSeconds < 2 ? "PASS" : "FAIL")}");
            return backupRatio >= 0.9 && restoreRatio >= 0.9 && incrementalSeconds < 2 ? 0 : 1;
        }
        finally
        {
            await platform.Vm.DeleteAsync(request, CancellationToken.None);
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task Sync()
    {
        using var p = Process.Start("sync")!;
        await p.WaitForExitAsync();
    }

    private static async Task<double> Restic(string repository, string password, string workingDir, params string[] args)
    {
        var psi = new ProcessStartInfo(ResticRepository.Binary ?? "restic", args) { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["RESTIC_REPOSITORY"] = repository;
        psi.Environment["RESTIC_PASSWORD_FILE"] = password;
        psi.Environment["RESTIC_CACHE_DIR"] = Path.Combine(Path.GetDirectoryName(password)!, "cache");
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"restic {args[0]}: {await error}{await output}");
        }

        return sw.Elapsed.TotalSeconds;
    }
}
