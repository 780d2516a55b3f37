using System.Diagnostics;

namespace Tappaas.Platform.Embedded.Guests.Drivers;

/// <summary>A started workload: its process on the host (the supervisor's child) and its exit.</summary>
public sealed class GuestTask(Process process) : IDisposable
{
    /// <summary>The host process the driver started (for a namespaced guest, the one that enters its namespaces).</summary>
    public Process Process { get; } = process;

    public int Pid => Process.Id;

    public bool HasExited => Process.HasExited;

    public int ExitCode => Process.ExitCode;

    /// <summary>Waits until the workload ends (and its output is read).</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        await Process.WaitForExitAsync(cancellationToken);
        Process.WaitForExit();
    }

    public void Dispose() => Process.Dispose();
}
