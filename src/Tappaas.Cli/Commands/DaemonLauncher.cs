using System.Diagnostics;
using Tappaas.Client;

namespace Tappaas.Cli.Commands;

/// <summary>
/// How <c>up</c> starts a site's daemon and <c>down</c> stops it: as the systemd service <c>tappaasd@SITE</c> when
/// systemd runs the host and the package installed that unit (so the daemon comes back after a reboot), else detached in
/// its own session. The daemon binary is the self-contained launcher beside this CLI when installed (the package), else
/// <c>tappaasd.dll</c> under the dotnet host this CLI runs on (a clone).
/// </summary>
/// <param name="underSystemd">Whether to run the daemon as the site's instance of the unit (<see cref="ForThisHost"/> finds out).</param>
/// <param name="systemctl">The systemctl command.</param>
internal sealed class DaemonLauncher(bool underSystemd, string systemctl = "systemctl")
{
    /// <summary>The template unit the package installs; its instance is the site folder, escaped as systemd does.</summary>
    public const string Unit = "tappaasd@.service";

    private static readonly string[] s_unitDirs = ["/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"];

    /// <summary>The command line of the daemon for a site, without its arguments.</summary>
    public static IReadOnlyList<string> Command() => Command(AppContext.BaseDirectory);

    /// <summary>The daemon's command line for a CLI installed in <paramref name="here"/>.</summary>
    internal static IReadOnlyList<string> Command(string here) => Composition.DataPlane.Daemon(here);

    /// <summary>The launcher for this host: under systemd when systemd manages it and knows the daemon's unit.</summary>
    public static DaemonLauncher ForThisHost() =>
        new(Directory.Exists("/run/systemd/system") && s_unitDirs.Any(d => File.Exists(Path.Combine(d, Unit))));

    /// <summary>
    /// Starts the daemon of <paramref name="site"/> with <paramref name="arguments"/> (besides its site and its first
    /// token's file, <c>ApiConnection.InitialTokenFile</c>, which the unit names itself); returns where its output goes,
    /// or the problem.
    /// </summary>
    public async Task<(string? Log, string? Problem)> StartAsync(string site, IReadOnlyList<string> arguments, string logs, CancellationToken ct)
    {
        var log = Path.Combine(logs, "daemon.log");
        if (underSystemd)
        {
            // systemd splits $TAPPAASD_ARGS at white space, quotes or not: such an argument cannot go through the unit.
            if (arguments.FirstOrDefault(a => a.Any(char.IsWhiteSpace)) is { } spaced)
            {
                return (null, $"the daemon's argument \"{spaced}\" has white space, which the unit's arguments cannot carry");
            }

            // The unit reads the arguments from the site (EnvironmentFile=%f/daemon.env) and appends its output to the same log.
            await File.WriteAllTextAsync(Path.Combine(site, "daemon.env"),
                "# written by 'tappaas up': the arguments of tappaasd for this site (the unit tappaasd@.service reads them)\n" +
                $"TAPPAASD_ARGS={string.Join(' ', arguments)}\n", ct);
            var unit = await InstanceAsync(site, ct);
            if (unit is null)
            {
                return (null, $"systemd-escape --path {site} failed");
            }

            var (code, output) = await RunAsync(systemctl, ["enable", "--now", unit], ct);
            return code == 0 ? ($"{log} (and journalctl -u {unit})", null) : (null, $"systemctl enable --now {unit} failed ({code}): {output.Trim()}");
        }

        // Detached (own session, output to the log): the daemon outlives this command.
        var psi = new ProcessStartInfo("/bin/sh", ["-c", "setsid -f \"$@\" </dev/null >>\"$LOG\" 2>&1; ", "sh", .. Command(),
            "--site", site, "--initial-token-file", ApiConnection.InitialTokenFile(site), .. arguments])
        {
            Environment = { ["LOG"] = log },
            RedirectStandardInput = true,
        };
        using var launcher = Process.Start(psi)!;
        launcher.StandardInput.Close();
        await launcher.WaitForExitAsync(ct);
        return (log, null);
    }

    /// <summary>Under systemd: disables the site's unit so the daemon does not come back at boot (stopping it is <c>down</c>'s own).</summary>
    public async Task DisableAsync(string site, CancellationToken ct)
    {
        if (underSystemd && await InstanceAsync(site, ct) is { } unit)
        {
            await RunAsync(systemctl, ["disable", "--now", unit], ct);
        }
    }

    private static async Task<string?> InstanceAsync(string site, CancellationToken ct)
    {
        var (code, output) = await RunAsync("systemd-escape", ["--path", "--template", Unit, site], ct);
        return code == 0 ? output.Trim() : null;
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, IReadOnlyList<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        return (p.ExitCode, await stdout + await stderr);
    }
}
