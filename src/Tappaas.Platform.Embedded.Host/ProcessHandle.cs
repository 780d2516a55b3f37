using System.Runtime.InteropServices;

namespace Tappaas.Platform.Embedded.Host;

/// <summary>
/// A Linux pidfd: a handle on one process, not on its number, so asking whether it still runs costs one system call and
/// is never answered by a later process that was given the same pid.
/// </summary>
internal sealed partial class ProcessHandle : IDisposable
{
    private const int PidfdOpenSyscall = 434; // the same number on every architecture (Linux 5.3)
    private const short PollIn = 0x1;

    private readonly int _fd;

    private ProcessHandle(int pid, int fd)
    {
        Pid = pid;
        _fd = fd;
    }

    public int Pid { get; }

    /// <summary>A handle on the running process <paramref name="pid"/>, or null (it is gone, or the kernel has no pidfd).</summary>
    public static ProcessHandle? Open(int pid) => pid > 0 && Syscall(PidfdOpenSyscall, pid, 0) is var fd and >= 0 ? new ProcessHandle(pid, (int)fd) : null;

    /// <summary>True once the process has ended (a zombie has ended too).</summary>
    public bool Exited
    {
        get
        {
            var poll = new PollFd { Fd = _fd, Events = PollIn };
            return Poll(ref poll, 1, 0) != 0; // readable when it ended; an error means the handle is no good either
        }
    }

    public void Dispose() => Close(_fd);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall(nint number, nint pid, nint flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(ref PollFd fds, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
