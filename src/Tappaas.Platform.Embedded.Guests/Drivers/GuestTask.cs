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

    /// <summary>Runs a short host command (an exec into a guest) to its end; returns its exit code and its output and errors.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(ProcessStartInfo psi, CancellationToken cancellationToken)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {psi.FileName}");
        var output = p.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = p.StandardError.ReadToEndAsync(cancellationToken);
        await p.WaitForExitAsync(cancellationToken);
        return (p.ExitCode, (await output + await error).TrimEnd());
    }

    /// <summary>Starts a workload's host process with its output going to <paramref name="output"/> line by line ("out" or "err", the line).</summary>
    public static GuestTask Launch(ProcessStartInfo psi, Action<string, string> output, bool closeInput = false)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = true;
        psi.UseShellExecute = false;
        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output("out", e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output("err", e.Data);
            }
        };
        process.Start();
        if (closeInput)
        {
            process.StandardInput.Close();
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new GuestTask(process);
    }
}
