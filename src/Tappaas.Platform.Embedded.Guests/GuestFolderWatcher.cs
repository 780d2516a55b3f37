namespace Tappaas.Platform.Embedded.Guests;

/// <summary>
/// Tells when a guest's files change — its supervisor's <c>state.json</c>, its <c>spec.json</c>, its <c>draining</c>
/// marker, a guest folder made or removed — through inotify (a <see cref="FileSystemWatcher"/> on the site's guests
/// folder), so readers are told within milliseconds instead of polling. <see cref="Changed"/> fires once per burst of
/// changes (coalesced over <see cref="Settle"/>); a missed event (a full inotify queue) fires it too.
/// </summary>
public sealed class GuestFolderWatcher : IDisposable
{
    /// <summary>How long a burst of changes is collected before <see cref="Changed"/> fires (a supervisor writes state in two steps).</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(3);

    private readonly FileSystemWatcher _watcher;
    private readonly Timer _timer;
    private int _pending;

    public GuestFolderWatcher(string guestsFolder)
    {
        Directory.CreateDirectory(guestsFolder);
        _timer = new Timer(_ => Fire(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(guestsFolder)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            InternalBufferSize = 64 * 1024,
        };
        _watcher.Created += (_, e) => Note(e.FullPath);
        _watcher.Deleted += (_, e) => Note(e.FullPath);
        _watcher.Changed += (_, e) => Note(e.FullPath);
        _watcher.Renamed += (_, e) => Note(e.FullPath);
        _watcher.Error += (_, _) => Schedule();
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Fires after guest files changed.</summary>
    public event Action? Changed;

    /// <summary>Whether a changed path can change what a guest's observers see (its log and disk files do not).</summary>
    public static bool Matters(string path)
    {
        var name = Path.GetFileName(path);
        return name is "state.json" or "spec.json" or "draining" || (!name.Contains('.', StringComparison.Ordinal) && !path.Contains("/logs/", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _timer.Dispose();
    }

    private void Note(string path)
    {
        if (Matters(path))
        {
            Schedule();
        }
    }

    private void Schedule()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _timer.Change(Settle, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire()
    {
        Interlocked.Exchange(ref _pending, 0);
        Changed?.Invoke();
    }
}
