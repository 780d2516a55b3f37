using Microsoft.Extensions.DependencyInjection;
using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Site;
using Tappaas.Model.Modules;
using Tappaas.Model.Resolved;
using Tappaas.Model.Site;
using Tappaas.Platform.Embedded.Backup;
using Tappaas.State;

namespace Tappaas.Composition;

/// <summary>
/// <c>tappaas site restore</c>: a site brought back into a new folder (on this machine or a fresh one) from its own
/// backup (<see cref="BackupService.BackupSiteAsync"/>) in a restic repository — its config folder, CA, secrets,
/// module repository, uploads and host ids, its state store (the SQLite copy put in place, or the PostgreSQL dump
/// restored into the database its restored secret names) — then each backed-up module's newest disk, then each
/// installed module's guests, started by the provider of <c>cluster:vm</c> as its install did, in dependency order.
/// Modules, revisions, history and data are the old site's; nothing runs a new revision.
/// </summary>
public static class SiteRestore
{
    /// <summary>Restores; <paramref name="say"/> gets a line per step. Returns what failed, or null.</summary>
    public static async Task<string?> RunAsync(string repository, string passwordFile, string target, string? snapshot, Action<string> say, CancellationToken cancellationToken)
    {
        target = Path.GetFullPath(target);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            return $"--site {target}: the folder is not empty; a site is restored into a new folder (name another, or remove this one)";
        }

        if (!File.Exists(passwordFile))
        {
            return $"--password-file {passwordFile}: no such file; it holds the repository's password (on the old site: tappaas secret get {BackupService.PasswordSecret})";
        }

        if (ResticRepository.Binary is null)
        {
            return "restic is not installed; install Debian's restic package (apt-get install restic)";
        }

        var cache = Path.Combine(Path.GetTempPath(), $"tappaas-restore-{Guid.NewGuid():N}");
        var source = new ResticRepository(repository, Path.GetFullPath(passwordFile), cache);
        try
        {
            var snapshots = await source.SnapshotsAsync(BackupService.SiteTag, cancellationToken);
            if (snapshots.Count == 0)
            {
                return $"--repository {repository} holds no site backup; take one on the old site with: tappaas site backup";
            }

            if (snapshot is not null && !snapshots.Any(s => s.Id.StartsWith(snapshot, StringComparison.Ordinal) || s.ShortId.StartsWith(snapshot, StringComparison.Ordinal)))
            {
                return $"--snapshot {snapshot}: no site backup with that id in {repository}; its site backups are {string.Join(", ", snapshots.Select(s => s.ShortId))}";
            }

            if (!OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // it holds the secrets
            }
            var stage = Path.Combine(target, ".restoring");
            var restored = await source.RestoreAsync(snapshot ?? "latest", BackupService.SiteTag, BackupService.SiteTag, stage, cancellationToken);
            say($"restored site snapshot {restored.ShortId}{(restored.Time is { } t ? $" of {t.ToUniversalTime():u}" : "")} into {target}");
            foreach (var part in BackupService.SiteParts.Where(p => Path.Exists(Path.Combine(stage, p))))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, part))!);
                Directory.Move(Path.Combine(stage, part), Path.Combine(target, part));
            }

            var layout = new SiteLayout(target);
            if (await RestoreStateAsync(Path.Combine(stage, "state"), layout, cancellationToken) is { } stateProblem)
            {
                return stateProblem;
            }

            Directory.Delete(stage, recursive: true);
            var own = Path.Combine(target, "backups", "repository");
            if (SiteSnapshot.Read(layout.ConfigDir).Backup.Repository is null && source.IsLocal && Path.GetFullPath(repository).TrimEnd('/') != own)
            {
                // The old site kept its backups in its own folder: this one's are a copy of the repository restored from.
                await BackupService.CopyAsync(Path.GetFullPath(repository), own, cancellationToken);
                say($"copied the repository {repository} to {own} (the site's own)");
            }

            return await BringBackAsync(target, say, cancellationToken);
        }
        catch (ResticException ex)
        {
            return $"--repository {repository}: {ex.Message}";
        }
        finally
        {
            if (Directory.Exists(cache))
            {
                Directory.Delete(cache, recursive: true);
            }
        }
    }

    /// <summary>Puts the state store's copy in place: the SQLite file, or the dump restored into the site's PostgreSQL database.</summary>
    private static async Task<string?> RestoreStateAsync(string copies, SiteLayout layout, CancellationToken cancellationToken)
    {
        var sqlite = Path.Combine(copies, SqliteStateStore.CopyFile);
        var dump = Path.Combine(copies, PostgresStateStore.CopyFile);
        if (File.Exists(sqlite))
        {
            File.Move(sqlite, layout.StatePath);
            return null;
        }

        if (!File.Exists(dump))
        {
            return "the site backup holds no copy of the state store";
        }

        var site = SiteSnapshot.Read(layout.ConfigDir);
        if (StateStores.Problem(layout, site) is { } problem)
        {
            return problem;
        }

        var connection = new Abstractions.Secrets.SiteSecrets(layout.Root).Get(site.Configuration!.State!.ConnectionSecret!)!;
        await PostgresStateStore.RestoreAsync(dump, connection, cancellationToken);
        return null;
    }

    /// <summary>Opens the restored site, restores each backed-up module's newest disk, then starts the installed modules' guests.</summary>
    private static async Task<string?> BringBackAsync(string target, Action<string> say, CancellationToken cancellationToken)
    {
        var (session, problem) = await SiteSession.OpenAsync(target, cancellationToken);
        if (session is null)
        {
            return problem;
        }

        await using (session)
        {
            var installed = await session.InstalledAsync(cancellationToken);
            var backedUp = (await session.Backups.ListAsync(null, cancellationToken)).Select(s => s.Module).ToHashSet(StringComparer.Ordinal);
            foreach (var module in installed.Where(m => backedUp.Contains(m.Name)))
            {
                var disk = await session.Backups.RestoreAsNewAsync(module.Name, null, module.Name, cancellationToken);
                say($"restored the disk of {module.Name} from snapshot {disk.ShortId}");
            }

            var factory = session.Services.GetRequiredService<IProviderFactory>();
            var service = ServiceRef.Parse("cluster:vm");
            var clusterFolder = ModuleLocator.FolderOf(service.Module, session.Layout) ?? "";
            foreach (var module in InDependencyOrder(installed).Where(m => m.Definition.DependsOnService("cluster:vm") && ResolvedWorkload.From(m.Definition) is not null))
            {
                var folder = ModuleLocator.FolderOf(module.Name, session.Layout);
                if (folder is null)
                {
                    return $"module \"{module.Name}\" is installed, but its folder is in none of the site's repositories; its guests were not started";
                }

                var request = new ProviderRequest(module.Definition, service, folder, target, HookFlags.None);
                var result = await factory.Resolve(service, clusterFolder).InstallAsync(request, cancellationToken);
                if (!result.Succeeded)
                {
                    return $"the guests of {module.Name} did not start: {result.Message}";
                }

                say($"started the guests of {module.Name}: {result.Message}");
            }
        }

        return null;
    }

    /// <summary>The modules, each after those it depends on (a cycle, which validation refuses, keeps the given order).</summary>
    private static List<ResolvedModule> InDependencyOrder(IReadOnlyList<ResolvedModule> modules)
    {
        var names = modules.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<ResolvedModule>();
        while (ordered.Count < modules.Count)
        {
            var next = modules.Where(m => !done.Contains(m.Name) && m.Definition.DependsOn.All(d => d.Module == m.Name || !names.Contains(d.Module) || done.Contains(d.Module))).ToList();
            if (next.Count == 0)
            {
                next = [.. modules.Where(m => !done.Contains(m.Name))];
            }

            ordered.AddRange(next);
            done.UnionWith(next.Select(m => m.Name));
        }

        return ordered;
    }
}
