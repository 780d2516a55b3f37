using System.Diagnostics;
using System.Net.Sockets;
using Tappaas.Model.Resolved;


namespace Tappaas.Platform.Embedded.Guests.Health;

/// <summary>Runs one health check against a guest: HTTP (2xx/3xx), TCP connect, or a command that exits 0.</summary>
public static class Probe
{
    /// <summary>Null when healthy, else why not. An exec check's command runs through <c>exec</c> (inside the guest; it returns the exit code), or on the host when that is null.</summary>
    public static async Task<string?> CheckAsync(HealthCheck check, string address, IReadOnlyDictionary<string, int> ports, Func<IReadOnlyList<string>, CancellationToken, Task<int>>? exec, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(check.Timeout);
        try
        {
            switch (check.Kind)
            {
                case "http":
                    {
                        var status = await HttpStatus.GetAsync(address, ports.GetValueOrDefault(check.Port ?? "", 80), check.Path, timeout.Token);
                        return status is >= 200 and < 400 ? null : $"GET {check.Path} answered {status}";
                    }

                case "tcp":
                    {
                        using var client = new TcpClient();
                        await client.ConnectAsync(address, ports.GetValueOrDefault(check.Port ?? "", 0), timeout.Token);
                        return null;
                    }

                default:
                    if (exec is not null)
                    {
                        var code = await exec(check.Command, timeout.Token);
                        return code == 0 ? null : $"{check.Command[0]} exited {code}";
                    }

                    {
                        var psi = new ProcessStartInfo(check.Command[0], check.Command.Skip(1)) { RedirectStandardOutput = true, RedirectStandardError = true };
                        using var p = Process.Start(psi)!;
                        await p.WaitForExitAsync(timeout.Token);
                        return p.ExitCode == 0 ? null : $"{check.Command[0]} exited {p.ExitCode}";
                    }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"{check.Kind} check timed out after {check.Timeout.TotalMilliseconds:0} ms";
        }
        catch (Exception ex) when (ex is IOException or SocketException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"{check.Kind} check failed: {ex.Message}";
        }
    }
}
