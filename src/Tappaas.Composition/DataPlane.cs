using System.Diagnostics;
using System.Text.Json;

namespace Tappaas.Composition;

/// <summary>
/// The site's data plane on this host: its reverse proxy runs as a process of its own (<c>tappaasd proxy</c>), apart
/// from the daemon, so a daemon that crashes, stalls, restarts or is upgraded takes no request down; it routes from the
/// site's files and keeps its last routes while nobody changes them (the DNS, dnsmasq, was already apart). The daemon
/// starts or adopts it; <c>tappaas down</c> stops it. Its files are under <c>&lt;site&gt;/run</c>.
/// </summary>
public static class DataPlane
{
    /// <summary>What the running proxy listens on, as it wrote it once it served.</summary>
    /// <param name="Pid">Its process.</param>
    /// <param name="Https">Its HTTPS listener (<c>https://ip:port</c>).</param>
    /// <param name="Http">Its plain HTTP listener, if any.</param>
    public sealed record Listening(int Pid, string Https, string? Http);

    public static string RunDir(string site) => Path.Combine(site, "run");

    /// <summary>The proxy's control socket (root only): <c>POST /sync</c>, <c>GET /routes</c>, <c>GET /stats</c>.</summary>
    public static string ControlSocket(string site) => Path.Combine(RunDir(site), "proxy.sock");

    /// <summary>Where the proxy says what it listens on (written once it serves, removed when it stops).</summary>
    public static string ListeningFile(string site) => Path.Combine(RunDir(site), "proxy.json");

    /// <summary>The proxy's log.</summary>
    public static string Log(string site) => Path.Combine(site, "logs", "proxy.log");

    /// <summary>The site's proxy if it runs: the process its file names is alive and is a <c>tappaasd proxy</c> of this site.</summary>
    public static Listening? Running(string site)
    {
        try
        {
            var file = ListeningFile(site);
            if (!File.Exists(file) || JsonSerializer.Deserialize(File.ReadAllText(file), CompositionJson.Default.Listening) is not { } listening || !Alive(listening.Pid))
            {
                return null;
            }

            var command = File.ReadAllText($"/proc/{listening.Pid}/cmdline").Split('\0');
            return command.Contains("proxy") && command.Contains(Path.GetFullPath(site)) ? listening : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null; // gone while we looked, or a file a crash cut short
        }
    }

    private static bool Alive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        return pid > 0 && File.Exists(stat) && !File.ReadAllText(stat).Contains(") Z ", StringComparison.Ordinal);
    }

    /// <summary>The proxy's routes for the site, from its files alone (no state store, no daemon); dispose it when done.</summary>
    public static Abstractions.Routing.IRouteSource Routes(string site) =>
        new Platform.Embedded.EmbeddedRoutes(new Platform.Embedded.EmbeddedPlatform(Path.GetFullPath(site), Platform.Embedded.EmbeddedPlatform.CanIsolate, TimeProvider.System));

    /// <summary>The command line of <c>tappaasd</c> installed in <paramref name="here"/>: the self-contained launcher, else its dll under dotnet.</summary>
    public static IReadOnlyList<string> Daemon(string here)
    {
        var launcher = Path.Combine(here, "tappaasd");
        if (File.Exists(launcher) && File.Exists(Path.Combine(here, "libhostpolicy.so")))
        {
            return [launcher]; // self-contained: no dotnet on the machine
        }

        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        return [dotnet, Path.Combine(here, "tappaasd.dll")];
    }

    /// <summary>Starts the site's proxy detached (its own session, output to its log): it outlives whoever started it.</summary>
    public static async Task StartAsync(string site, string https, string? http, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(RunDir(site));
        Directory.CreateDirectory(Path.GetDirectoryName(Log(site))!);
        string[] arguments = ["proxy", "--site", Path.GetFullPath(site), "--https", https, .. http is null ? Array.Empty<string>() : ["--http", http]];
        var psi = new ProcessStartInfo("/bin/sh", ["-c", "setsid -f \"$@\" </dev/null >>\"$LOG\" 2>&1; ", "sh", .. Daemon(AppContext.BaseDirectory), .. arguments])
        {
            // Dynamic PGO, which the daemon's runtime configuration turns off, for the proxy: its steady state is what
            // counts (about a sixth less CPU per request measured with bench/run proxy); environment beats runtimeconfig.
            Environment = { ["LOG"] = Log(site), ["DOTNET_TieredPGO"] = "1" },
            RedirectStandardInput = true,
        };
        using var launcher = Process.Start(psi)!;
        launcher.StandardInput.Close();
        await launcher.WaitForExitAsync(cancellationToken);
    }

    /// <summary>Stops the site's proxy (SIGTERM, then SIGKILL after <paramref name="grace"/>); its pid when one ran.</summary>
    public static async Task<int?> StopAsync(string site, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (Running(site) is not { } running)
        {
            if (Directory.Exists(RunDir(site)))
            {
                File.Delete(ListeningFile(site));
            }

            return null;
        }

        using (var term = Process.Start("kill", ["-TERM", running.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync(cancellationToken); // SIGTERM: it stops listening and finishes what it serves
        }

        for (var waited = Stopwatch.StartNew(); Alive(running.Pid) && waited.Elapsed < grace;)
        {
            await Task.Delay(20, cancellationToken);
        }

        if (Alive(running.Pid))
        {
            using var process = Process.GetProcessById(running.Pid);
            process.Kill();
        }

        if (Directory.Exists(RunDir(site)))
        {
            File.Delete(ListeningFile(site));
        }

        return running.Pid;
    }
}
