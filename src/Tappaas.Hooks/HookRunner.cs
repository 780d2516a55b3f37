using System.Diagnostics;
using System.Text;
using Tappaas.Abstractions.Providers;

namespace Tappaas.Hooks;

/// <summary>
/// Runs one hook script under upstream's contract: the consumer's (effective) module name as the only argument,
/// the consumer's folder as working directory, <c>TAPPAAS_*</c> variables for the flags, exit codes 0 ok, 1 failed,
/// 2 fatal; output appended to the module's log; a timeout after which the script's process group is killed.
/// </summary>
public sealed class HookRunner(TimeSpan timeout, TimeProvider time)
{
    /// <summary>Default per-hook timeout.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromMinutes(30);

    private const int TextFileBusy = 26; // ETXTBSY

    /// <summary>Runs <paramref name="script"/> for <paramref name="module"/>.</summary>
    public async ValueTask<OperationResult> RunAsync(string script, string module, string workingDirectory, string siteFolder, HookFlags flags, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(script, [module])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        psi.Environment["TAPPAAS_CONFIG_DIR"] = Path.Combine(siteFolder, "config");
        psi.Environment["TAPPAAS_SITE"] = siteFolder;
        Set(psi, "TAPPAAS_DEBUG", flags.Debug);
        Set(psi, "TAPPAAS_SILENT", flags.Silent);
        Set(psi, "TAPPAAS_CHECK", flags.Check);
        Set(psi, "TAPPAAS_TEST_DEEP", flags.TestDeep);
        SetValue(psi, "TAPPAAS_VMID_OVERRIDE", flags.VmIdOverride);
        SetValue(psi, "TAPPAAS_NODE_OVERRIDE", flags.NodeOverride);
        SetValue(psi, "TAPPAAS_ZONE0_OVERRIDE", flags.Zone0Override);
        EnsureExecutable(script);

        var output = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                process.Start();
                break;
            }
            catch (System.ComponentModel.Win32Exception ex) when (ex.NativeErrorCode == TextFileBusy && attempt < 20)
            {
                // The script was written a moment ago and a process forked meanwhile (by any thread of this host)
                // still holds it open for writing until its exec: the kernel refuses to run it until then.
                await Task.Delay(TimeSpan.FromMilliseconds(10 * attempt), time, cancellationToken);
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                return OperationResult.Fail(OperationStatus.Fatal, $"cannot run {script}: {ex.Message} (is it a script with a #! line?)");
            }
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            await AppendLogAsync(siteFolder, module, script, output.ToString(), -1, time.GetUtcNow());
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return OperationResult.Fail(OperationStatus.Fatal, $"{Path.GetFileName(script)} for {module} did not finish within {timeout.TotalSeconds:0} s and was stopped", output.ToString());
        }

        process.WaitForExit();
        await AppendLogAsync(siteFolder, module, script, output.ToString(), process.ExitCode, time.GetUtcNow());
        var text = output.ToString();
        return process.ExitCode switch
        {
            0 => OperationResult.Ok(text),
            2 => OperationResult.Fail(OperationStatus.Fatal, $"{Path.GetFileName(script)} for {module} failed fatally (exit 2){LastLines(text)}", text),
            var code => OperationResult.Fail(OperationStatus.Failed, $"{Path.GetFileName(script)} for {module} failed (exit {code}){LastLines(text)}", text),
        };
    }

    /// <summary>What a failing hook said last, for its error (the whole output is in the module's log).</summary>
    internal static string LastLines(string output, int count = 5)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "; it printed nothing" : $"; it printed last: {string.Join(" / ", lines.TakeLast(count))}";
    }

    private static void Append(StringBuilder sb, string? line)
    {
        if (line is not null)
        {
            lock (sb)
            {
                sb.Append(line).Append('\n');
            }
        }
    }

    private static async Task AppendLogAsync(string siteFolder, string module, string script, string output, int exitCode, DateTimeOffset at)
    {
        var dir = Path.Combine(siteFolder, "logs");
        Directory.CreateDirectory(dir);
        var header = $"--- {at:O} {script} {module} (exit {exitCode})\n";
        await File.AppendAllTextAsync(Path.Combine(dir, module + ".log"), header + output);
    }

    private static void Set(ProcessStartInfo psi, string name, bool value)
    {
        if (value)
        {
            psi.Environment[name] = "1";
        }
    }

    private static void SetValue(ProcessStartInfo psi, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            psi.Environment[name] = value;
        }
    }

    private static void EnsureExecutable(string script)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(script);
        const UnixFileMode exec = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(script, mode | exec); // upstream chmod +x's module scripts before running them
        }
    }
}
