using System.Runtime.InteropServices;

namespace Tappaas.Platform.Embedded.Host;

/// <summary>
/// A non-blocking inotify instance (Linux): watches are added per folder, and <see cref="Drain"/> takes every event the
/// kernel queued since the last call without waiting. A change that completed before <see cref="Drain"/> is in what it
/// returns (the kernel queues an event as part of the change itself), which a background watcher cannot promise.
/// </summary>
internal sealed partial class Inotify : IDisposable
{
    public const uint CloseWrite = 0x8, MovedFrom = 0x40, MovedTo = 0x80, Create = 0x100, Delete = 0x200, DeleteSelf = 0x400,
        MoveSelf = 0x800, Overflow = 0x4000, Ignored = 0x8000, OnlyDir = 0x0100_0000, IsDir = 0x4000_0000;

    private const int NonBlock = 0x800, CloseOnExec = 0x80000, Again = 11, Interrupted = 4;

    private readonly int _fd;
    private readonly byte[] _buffer = new byte[64 * 1024];

    private Inotify(int fd) => _fd = fd;

    /// <summary>A new instance, or null when the kernel gives none (no inotify, or the user's instance limit reached).</summary>
    public static Inotify? Open() => InotifyInit(NonBlock | CloseOnExec) is var fd and >= 0 ? new Inotify(fd) : null;

    /// <summary>Watches a path for <paramref name="mask"/>; the watch descriptor, or -1 (gone, or the watch limit reached).</summary>
    public int Add(string path, uint mask) => AddWatch(_fd, path, mask);

    /// <summary>The events queued now (watch descriptor, mask, the name within the watched folder); empty when there are none.</summary>
    public List<(int Watch, uint Mask, string Name)> Drain()
    {
        var events = new List<(int, uint, string)>();
        while (true)
        {
            var read = Read(_fd, _buffer, _buffer.Length);
            if (read < 0 && Marshal.GetLastPInvokeError() == Interrupted)
            {
                continue; // a signal came first: the queue is still to be read
            }

            if (read <= 0)
            {
                if (read < 0 && Marshal.GetLastPInvokeError() != Again)
                {
                    events.Add((-1, Overflow, "")); // cannot read: the caller must look at everything again
                }

                return events;
            }

            for (var at = 0; at < read;)
            {
                var watch = BitConverter.ToInt32(_buffer, at);
                var mask = BitConverter.ToUInt32(_buffer, at + 4);
                var length = BitConverter.ToInt32(_buffer, at + 12);
                var name = length == 0 ? "" : System.Text.Encoding.UTF8.GetString(_buffer, at + 16, length).TrimEnd('\0');
                events.Add((watch, mask, name));
                at += 16 + length;
            }
        }
    }

    public void Dispose() => Close(_fd);

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    private static partial int InotifyInit(int flags);

    [LibraryImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int AddWatch(int fd, string path, uint mask);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
