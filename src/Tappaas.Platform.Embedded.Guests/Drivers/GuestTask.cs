using System.Diagnostics;
using Tappaas.Platform.Embedded.Host;

namespace Tappaas.Platform.Embedded.Guests.Drivers;

/// <summary>
/// A started workload: the host process the driver started (the supervisor's child) and the workload's exit. For a
/// detached container the started process (the runtime) returns once the container runs; its init is then adopted (the
/// supervisor reaps orphans) and waited for as the workload, while its output still comes through the runtime's pipes.
/// </summary>
public sealed class GuestTask : IDisposable
{
    private readonly Process _process;
    private Task<int>? _adopted;
    private int _adoptedPid;

    private GuestTask(Process process) => _process = process;

    /// <summary>The workload's process on the host: the adopted init of a detached container, else the started process.</summary>
    public int Pid => _adopted is null ? _process.Id : _adoptedPid;

    public bool HasExited => _adopted?.IsCompleted ?? _process.HasExited;

    public int ExitCode => _adopted is { } adopted ? adopted.Result : _process.ExitCode;

    /// <summary>Waits until the workload ends (and its output is read).</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        if (_adopted is { } adopted)
        {
            await adopted.WaitAsync(cancellationToken);
        }

        await _process.WaitForExitAsync(cancellationToken);
        _process.WaitForExit();
    }

    /// <summary>Ends the workload and everything it started, now.</summary>
    public void Kill()
    {
        if (_adopted is { IsCompleted: false })
        {
            Native.Kill(_adoptedPid, Native.SigKill);
        }

        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // it had ended
        }
    }

    /// <summary>
    /// The started process has returned, leaving <paramref name="pid"/> (its orphan, now this process's child) as the
    /// workload: from here on the task is that process, waited for on a thread of its own.
    /// </summary>
    public void Adopt(int pid)
    {
        _adoptedPid = pid;
        _adopted = Task.Factory.StartNew(() => Native.WaitForChild(pid), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Waits for the started process itself to end (a runtime that returns once its container runs); its exit code.</summary>
    public async Task<int> WaitForLauncherAsync(CancellationToken cancellationToken)
    {
        // Its exit only: the container it leaves running holds the output pipes open (WaitForExitAsync would wait for them).
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process.Exited += (_, _) => exited.TrySetResult();
        _process.EnableRaisingEvents = true;
        if (!_process.HasExited)
        {
            await exited.Task.WaitAsync(cancellationToken);
        }

        return _process.ExitCode;
    }

    public void Dispose() => _process.Dispose();

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
