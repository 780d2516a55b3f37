using System.Runtime.InteropServices;

namespace Tappaas.Platform.Embedded.Host;

/// <summary>POSIX calls the .NET process API does not offer: signals to another process, reaping orphans, waiting for an adopted child.</summary>
internal static partial class Native
{
    public const int SigTerm = 15;
    public const int SigKill = 9;
    public const int SigHup = 1;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    private const int PrSetChildSubreaper = 36;

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nint arg2, nint arg3, nint arg4, nint arg5);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, out int status, int options);

    /// <summary>
    /// Makes this process the reaper of its orphaned descendants (Linux <c>PR_SET_CHILD_SUBREAPER</c>): a process whose
    /// parent exits (a container's init when <c>runc run -d</c> returns) becomes this one's child, so it can be waited for.
    /// </summary>
    public static bool BecomeSubreaper() => Prctl(PrSetChildSubreaper, 1, 0, 0, 0) == 0;

    /// <summary>
    /// Blocks until the child <paramref name="pid"/> ends and returns its exit code (128 + the signal when a signal ended
    /// it, as a shell reports it); -1 when it is not this process's child.
    /// </summary>
    public static int WaitForChild(int pid)
    {
        while (true)
        {
            if (WaitPid(pid, out var status, 0) == pid)
            {
                var signal = status & 0x7f;
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
            }

            if (Marshal.GetLastPInvokeError() != 4) // EINTR: a signal arrived meanwhile; wait again
            {
                return -1;
            }
        }
    }

    /// <summary>The first child of a process (Linux <c>/proc/PID/task/PID/children</c>), if it has one.</summary>
    public static int? FirstChild(int pid)
    {
        var file = $"/proc/{pid}/task/{pid}/children";
        return File.Exists(file) && File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() is { } first && int.TryParse(first, out var child) ? child : null;
    }

    /// <summary>True when a process with this id exists.</summary>
    public static bool Alive(int pid) => pid > 0 && Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    /// <summary>When a process started, in clock ticks since boot (<c>/proc/PID/stat</c> field 22): with its pid, it names one process, never a later one given the same pid.</summary>
    public static long? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 && long.TryParse(fields[19], out var ticks) ? ticks : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>A process and every process below it (children first found through <c>/proc/*/stat</c>'s parent ids).</summary>
    public static IReadOnlyList<int> Tree(int pid)
    {
        var parents = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var child))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (fields.Length > 1 && int.TryParse(fields[1], out var parent))
                    {
                        (parents.TryGetValue(parent, out var list) ? list : parents[parent] = []).Add(child);
                    }
                }
                catch (IOException)
                {
                    // it ended meanwhile
                }
            }
        }

        var tree = new List<int> { pid };
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(parents.GetValueOrDefault(tree[i]) ?? []);
        }

        return tree;
    }
}
