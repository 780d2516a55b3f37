using System.Runtime.InteropServices;

namespace Tappaas.Platform.Embedded.Host;

/// <summary>POSIX signals the .NET process API does not offer (SIGTERM to another process).</summary>
internal static partial class Native
{
    public const int SigTerm = 15;
    public const int SigKill = 9;
    public const int SigHup = 1;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    /// <summary>The first child of a process (Linux <c>/proc/PID/task/PID/children</c>), if it has one.</summary>
    public static int? FirstChild(int pid)
    {
        var file = $"/proc/{pid}/task/{pid}/children";
        return File.Exists(file) && File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() is { } first && int.TryParse(first, out var child) ? child : null;
    }

    /// <summary>True when a process with this id exists.</summary>
    public static bool Alive(int pid) => pid > 0 && Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
}
