using Tappaas.Abstractions.Providers;
using Tappaas.Model.Modules;

namespace Tappaas.Platform.Embedded.Backup;

/// <summary>
/// What backups need of the platform that runs the guests (the embedded platform implements it): the installed modules,
/// a consistent moment of a module's disk, swapping a disk under its guests, and a scratch guest to verify a restore in.
/// Backups see nothing else of how guests run.
/// </summary>
public interface IBackupGuests
{
    /// <summary>The site folder (disks, backups, secrets).</summary>
    string SiteFolder { get; }

    /// <summary>The clock backups are stamped and scheduled with.</summary>
    TimeProvider Time { get; }

    /// <summary>The installed modules, as their config files say.</summary>
    IReadOnlyList<ModuleDefinition> Installed();

    /// <summary>A module's release folder (its pre-backup.sh and post-backup.sh), or null.</summary>
    string? ModuleFolder(string module);

    /// <summary>Holds the module's guests still (frozen) until the result is disposed.</summary>
    Task<IAsyncDisposable> PauseAsync(string module, CancellationToken cancellationToken);

    /// <summary>Fills a new disk with <paramref name="fill"/> (while the guests serve), then swaps it in under the guests and waits for them to be ready.</summary>
    Task ReplaceDiskAsync(string module, Func<string, Task> fill, CancellationToken cancellationToken);

    /// <summary>The zone scratch guests run in: isolated from every other.</summary>
    string ScratchZone { get; }

    /// <summary>The guests' provider (cluster:vm), which runs a scratch copy of a module.</summary>
    IResourceProvider Guests { get; }
}
