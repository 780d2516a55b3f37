using Tappaas.Platform.Embedded.Host;

namespace Tappaas.Platform.Embedded.Guests;

/// <summary>A guest as its files say now: its spec, its supervisor's last state, whether it drains, whether its supervisor runs.</summary>
public sealed record ObservedGuest(string Guest, GuestSpecFile Spec, GuestState? State, bool Draining, bool Supervised);

/// <summary>
/// The site's guests as their files say, kept in memory and brought up to date from inotify: a read looks again only at
/// the guests whose <c>spec.json</c>, <c>state.json</c> or <c>draining</c> changed since the last read (the kernel's queue
/// is drained at the start of every read, so a change that completed before it is always seen), and asks each
/// supervisor whether it runs through a pidfd (one system call). A status read of 100 guests so costs about a hundred
/// system calls instead of some four hundred file reads and a hundred JSON parses. Without inotify (none left, or no
/// guests folder yet) every read looks at every file, as <see cref="GuestRuntime"/> does.
/// </summary>
public sealed class GuestFileCache(GuestRuntime runtime) : IDisposable
{
    private const uint FolderEvents = Inotify.Create | Inotify.Delete | Inotify.MovedFrom | Inotify.MovedTo | Inotify.DeleteSelf | Inotify.MoveSelf | Inotify.OnlyDir;
    private const uint GuestEvents = Inotify.CloseWrite | Inotify.MovedTo | Inotify.MovedFrom | Inotify.Create | Inotify.Delete | Inotify.OnlyDir;

    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, Entry> _guests = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _watches = [];
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private Inotify? _inotify;
    private int _root = -1;

    private sealed class Entry
    {
        public GuestSpecFile? Spec { get; set; }

        public GuestState? State { get; set; }

        public bool Draining { get; set; }

        /// <summary>A handle on the supervisor that wrote <see cref="State"/>, when it ran at the last look.</summary>
        public ProcessHandle? Supervisor { get; set; }

        /// <summary>Its supervisor ran but no pidfd could be had: asked the long way every read.</summary>
        public bool AskEveryRead { get; set; }

        /// <summary>No watch on its folder (none left): its files are read every time.</summary>
        public bool Unwatched { get; set; }
    }

    /// <summary>Every guest that has a spec, in name order.</summary>
    public IReadOnlyList<ObservedGuest> Read()
    {
        lock (_gate)
        {
            if (_inotify is null && !Start())
            {
                return [.. runtime.All().Select(g => Uncached(g.Guest, g.Spec))];
            }

            Apply(_inotify!.Drain());
            foreach (var (guest, entry) in _guests)
            {
                if (entry.Unwatched || _dirty.Contains(guest))
                {
                    Load(guest, entry);
                }
            }

            _dirty.Clear();
            return [.. _guests.Where(kv => kv.Value.Spec is not null).Select(kv => new ObservedGuest(kv.Key, kv.Value.Spec!, kv.Value.State, kv.Value.Draining, Supervised(kv.Value)))];
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            Stop();
        }
    }

    private ObservedGuest Uncached(string guest, GuestSpecFile spec)
    {
        var state = runtime.State(guest);
        return new ObservedGuest(guest, spec, state, runtime.Draining(guest), GuestRuntime.SupervisorAlive(state));
    }

    private bool Start()
    {
        if (!Directory.Exists(runtime.GuestsDir) || Inotify.Open() is not { } inotify)
        {
            return false;
        }

        _inotify = inotify;
        _root = inotify.Add(runtime.GuestsDir, FolderEvents);
        if (_root < 0)
        {
            Stop();
            return false;
        }

        foreach (var dir in Directory.GetDirectories(runtime.GuestsDir))
        {
            Added(Path.GetFileName(dir));
        }

        return true;
    }

    private void Stop()
    {
        foreach (var entry in _guests.Values)
        {
            entry.Supervisor?.Dispose();
        }

        _guests.Clear();
        _watches.Clear();
        _dirty.Clear();
        _inotify?.Dispose();
        _inotify = null;
        _root = -1;
    }

    private void Apply(List<(int Watch, uint Mask, string Name)> events)
    {
        foreach (var (watch, mask, name) in events)
        {
            if ((mask & Inotify.Overflow) != 0 || (watch == _root && (mask & (Inotify.DeleteSelf | Inotify.MoveSelf | Inotify.Ignored)) != 0))
            {
                // Events were lost, or the guests folder itself went: start over from what is on disk.
                Stop();
                Start();
                return;
            }

            if (watch == _root)
            {
                if ((mask & Inotify.IsDir) != 0 && (mask & (Inotify.Create | Inotify.MovedTo)) != 0)
                {
                    Added(name);
                }
                else if ((mask & Inotify.IsDir) != 0 && (mask & (Inotify.Delete | Inotify.MovedFrom)) != 0)
                {
                    Removed(name);
                }
            }
            else if (_watches.TryGetValue(watch, out var guest))
            {
                if ((mask & Inotify.Ignored) != 0)
                {
                    _watches.Remove(watch); // its folder went; the guests folder's event removes the guest
                }
                else if (name is "spec.json" or "state.json" or "draining")
                {
                    _dirty.Add(guest);
                }
            }
        }
    }

    // The watch first, then the look: a file written after the look is an event, one written before it is read.
    private void Added(string guest)
    {
        if (!_guests.TryGetValue(guest, out var entry))
        {
            var watch = _inotify!.Add(runtime.GuestDir(guest), GuestEvents);
            entry = new Entry { Unwatched = watch < 0 };
            if (watch >= 0)
            {
                _watches[watch] = guest;
            }

            _guests[guest] = entry;
        }

        _dirty.Add(guest);
    }

    private void Removed(string guest)
    {
        if (_guests.Remove(guest, out var entry))
        {
            entry.Supervisor?.Dispose();
            foreach (var watch in _watches.Where(kv => kv.Value == guest).Select(kv => kv.Key).ToList())
            {
                _watches.Remove(watch);
            }
        }

        _dirty.Remove(guest);
    }

    private void Load(string guest, Entry entry)
    {
        entry.Spec = runtime.Spec(guest);
        var state = runtime.State(guest);
        entry.Draining = runtime.Draining(guest);
        if (state?.ShimPid != entry.State?.ShimPid || entry.Supervisor is null && !entry.AskEveryRead)
        {
            entry.Supervisor?.Dispose();
            entry.Supervisor = null;
            entry.AskEveryRead = false;
            // The handle first, then the check that the pid is this guest's supervisor: the handle then holds that process.
            var handle = state is { ShimPid: > 0 } ? ProcessHandle.Open(state.ShimPid) : null;
            if (GuestRuntime.SupervisorAlive(state))
            {
                entry.Supervisor = handle;
                entry.AskEveryRead = handle is null;
            }
            else
            {
                handle?.Dispose();
            }
        }

        entry.State = state;
    }

    private static bool Supervised(Entry entry) =>
        entry.Supervisor is { } handle ? !handle.Exited : entry.AskEveryRead && GuestRuntime.SupervisorAlive(entry.State);
}
