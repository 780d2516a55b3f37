using System.Runtime.InteropServices;
using System.Text;

#if TAPPAAS_CLIENT
namespace Tappaas.Client.IO; // the client's own copy: one name per assembly (the API's document reads both assemblies' docs)
#else
namespace Tappaas.IO;
#endif

/// <summary>
/// The one way the platform writes a file: the content goes to a temporary file of a unique name beside the target, is
/// flushed to disk, renamed over the target, and the folder is flushed too, so a crash or power loss leaves the old
/// content or the new one, never half of one, and two writers never share a temporary file. Leftover temporary files
/// (<c>.NAME.*.tmp</c>) are the sign of a crash mid-write; the target is intact beside them.
/// </summary>
/// <remarks>
/// One source file, compiled into the contracts (public) and into the API client (internal, as the client references
/// nothing of ours).
/// </remarks>
static partial class AtomicFile
{
    /// <summary>Only the owner may read or write (secrets, tokens).</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="content"/> as UTF-8 (no byte order mark).</summary>
    public static void Write(string path, string content, UnixFileMode? mode = null) =>
        Write(path, Encoding.UTF8.GetBytes(content), mode);

    /// <summary>Writes bytes as they are.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (mode is { } m && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = m;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        SyncFolder(folder);
    }

    /// <summary>Writes asynchronously (the same steps; the flushes are synchronous).</summary>
    public static async Task WriteAsync(string path, string content, CancellationToken cancellationToken, UnixFileMode? mode = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var bytes = Encoding.UTF8.GetBytes(content);
        await Task.Run(() => Write(path, bytes, mode), cancellationToken);
    }

    /// <summary>Deletes a file if it exists, and flushes its folder.</summary>
    public static void Delete(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
            SyncFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
    }

    /// <summary>The temporary files a crash left in <paramref name="folder"/> (not in its subfolders).</summary>
    public static IEnumerable<string> Leftovers(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, ".*.tmp") : [];

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    // The rename is durable only once the folder's entry is on disk: fsync(2) of the folder (Linux and other Unixes).
    private static void SyncFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = open(folder, 0 /* O_RDONLY: a folder can be opened read-only to be synced */);
        if (fd >= 0)
        {
            _ = fsync(fd);
            _ = close(fd);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
