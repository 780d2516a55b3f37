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
}
