using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Tappaas.Cli.Remote;
using Tappaas.Client;
using Tappaas.Composition;

namespace Tappaas.Cli.Commands;

/// <summary>
/// <c>tappaas up</c>: everything a newcomer needs on one Debian host — the packages (installed when missing, saying
/// why), a site with the embedded platform (created once), the daemon with its API and reverse proxy (started unless it
/// runs), the example stack (installed unless it is) — then the URLs, the token, how to trust the site CA and what to
/// try next. Running it again changes nothing. <c>tappaas down</c> stops the daemon and the guests; <c>--purge</c>
/// also removes the site.
/// </summary>
internal static class UpCommands
{
    private static readonly (string Package, string Why)[] s_packages =
    [
        ("python3", "the example stack's web application"),
        ("iproute2", "network namespaces, bridges and veths for guests"),
        ("util-linux", "nsenter and setpriv for commands inside guests"),
        ("runc", "confines each guest: its own uid, namespaces and a read-only view of the host"),
        ("golang-github-containers-common", "the default seccomp profile guests run under"),
        ("nftables", "the site firewall"),
        ("dnsmasq-base", "the site DNS on the zone gateways"),
        ("restic", "backups"),
    ];

    private static readonly string[] s_stack = ["cluster", "firewall", "backup", "counter", "board"];

    public static Command Up(TextWriter output, TextWriter error)
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "The site folder (default: --site, $TAPPAAS_SITE, or ~/.local/share/tappaas/site)." };
        var https = new Option<int>("--https-port") { Description = "The reverse proxy's HTTPS port.", DefaultValueFactory = _ => 443 };
        var http = new Option<int>("--http-port") { Description = "The reverse proxy's HTTP port (redirects to HTTPS).", DefaultValueFactory = _ => 80 };
        var api = new Option<int>("--api-port") { Description = "The daemon's API port (on 127.0.0.1).", DefaultValueFactory = _ => 7780 };
        var noPackages = new Option<bool>("--no-packages") { Description = "Do not install missing Debian packages (only report them)." };
        var command = new Command("up", "Bring up TAPPaaS on this host: packages, site, daemon, reverse proxy and the example stack. Safe to run again.")
        {
            dataDir, https, http, api, noPackages, CommonOptions.Json,
        };
        command.SetAction(async (result, ct) =>
        {
            var site = Path.GetFullPath(result.GetValue(dataDir) ?? SiteOptions.Root(result));
            var json = result.GetValue(CommonOptions.Json);
            var say = json ? error : output; // with --json, what happens goes to the error stream and the summary is the output
            if (await PackagesAsync(say, error, result.GetValue(noPackages), ct) is { } missing)
            {
                error.WriteLine($"error: missing Debian packages: {missing}; install them with: apt-get install -y {missing}");
                return ExitCodes.Failed;
            }

            var logs = SiteHost.LogsDir(site);
            if (!SiteHost.Exists(site))
            {
                // The site gets its own copy of the example stack: new releases are published by copying them over it.
                var stack = Path.Combine(ShareRoot(), "examples", "stack");
                var repository = Path.Combine(site, "repository");
                CopyFolder(stack, repository);
                var (created, problem) = await SiteHost.CreateAsync(site, "tappaas.internal",
                    new Dictionary<string, string> { ["cluster:*"] = "embedded", ["firewall:*"] = "embedded", ["backup:*"] = "embedded" }, [repository], ct);
                if (created is null)
                {
                    error.WriteLine($"error: {problem}");
                    return ExitCodes.Failed;
                }

                say.WriteLine($"created the site in {site} (modules from {repository}, a copy of {stack})");
            }

            SiteRegistry.Add(site);
            var apiUrl = $"https://127.0.0.1:{result.GetValue(api)}";
            var tokenFile = ApiConnection.InitialTokenFile(site);
            var firstToken = !File.Exists(tokenFile);
            if (!await HealthyAsync(site, apiUrl, ct))
            {
                Directory.CreateDirectory(Path.Combine(site, "secrets"));
                Directory.CreateDirectory(logs);
                string[] arguments = ["--listen", apiUrl, "--proxy-https", $"https://0.0.0.0:{result.GetValue(https)}",
                    "--proxy-http", $"http://0.0.0.0:{result.GetValue(http)}"];
                var (log, problem) = await DaemonLauncher.ForThisHost().StartAsync(site, arguments, logs, ct);
                if (problem is not null)
                {
                    error.WriteLine($"error: the daemon did not start: {problem}");
                    return ExitCodes.Failed;
                }

                if (!await WaitHealthyAsync(site, apiUrl, TimeSpan.FromSeconds(30), ct))
                {
                    error.WriteLine($"error: the daemon did not answer on {apiUrl} within 30 s; see {log}");
                    return ExitCodes.Failed;
                }

                say.WriteLine($"started the daemon (API {apiUrl}, proxy on ports {result.GetValue(https)} and {result.GetValue(http)}; log {log})");
            }
            else
            {
                say.WriteLine($"the daemon already runs ({apiUrl})");
            }

            if (!File.Exists(tokenFile))
            {
                error.WriteLine($"error: no API token in {tokenFile}; the daemon of this site was started another way — use its token with the API");
                return ExitCodes.Failed;
            }

            var token = (await File.ReadAllTextAsync(tokenFile, ct)).Trim();
            using var client = new TappaasClient(ApiConnection.Discover(site, apiUrl, token)!);
            foreach (var module in s_stack)
            {
                if ((await client.ModuleAsync(module, ct)).Ok)
                {
                    continue;
                }

                say.WriteLine($"installing {module} ...");
                var answer = await LiveProgress.RunAsync(client, error, quiet: false, $"installing {module}", t => client.InstallAsync([module], false, t), ct);
                if (!answer.Ok)
                {
                    error.WriteLine($"error: installing {module} failed: {answer.Problem}");
                    answer.Problem!.Diagnostics.ToList().ForEach(d => ApiPrinter.Diagnostic(error, d));
                    return ExitCodes.Failed;
                }
            }

            // Guests stopped by 'down' (or a reboot) are started again by the daemon; wait until the stack serves.
            if (!await WaitGuestsReadyAsync(client, TimeSpan.FromSeconds(60), ct))
            {
                error.WriteLine($"warning: not every guest of the example stack is ready after 60 s; see {Self()} status and {Self()} logs MODULE");
            }

            var port = result.GetValue(https);
            var host = "counter.tappaas.internal";
            var root = Path.Combine(site, "ca", "root.crt");
            if (json)
            {
                Output.DiagnosticPrinter.PrintJson(output, new JsonObject
                {
                    ["site"] = site, ["api"] = apiUrl, ["dashboard"] = apiUrl + "/", ["caFile"] = root, ["tokenFile"] = tokenFile, ["token"] = firstToken ? token : null,
                    ["urls"] = Output.JsonOut.Strings([$"https://{host}{(port == 443 ? "" : ":" + port)}/", $"https://board.tappaas.internal{(port == 443 ? "" : ":" + port)}/"]),
                });
                return ExitCodes.Ok;
            }

            output.WriteLine();
            output.WriteLine("TAPPaaS is up.");
            output.WriteLine($"  the example counter:  https://{host}{(port == 443 ? "" : ":" + port)}/   (2 replicas; the board: https://board.tappaas.internal{(port == 443 ? "" : ":" + port)}/)");
            output.WriteLine($"      from this host:   curl --cacert {root} --resolve {host}:{port}:127.0.0.1 https://{host}:{port}/");
            output.WriteLine($"      (or add \"127.0.0.1 {host}\" to /etc/hosts and open it in a browser)");
            output.WriteLine($"  the dashboard:        {apiUrl}/   (sign in with the admin token below; trust the site CA first, or accept its certificate)");
            output.WriteLine($"  the API:              {apiUrl}/api/v1  (OpenAPI: {apiUrl}/api/v1/openapi.json; the CLI uses it while the daemon runs)");
            output.WriteLine(firstToken
                ? $"  your admin token:     {token}   (shown this once; it is kept in {tokenFile}, readable by you only)"
                : $"  your admin token:     in {tokenFile}");
            output.WriteLine($"  trust the site CA:    cp {root} /usr/local/share/ca-certificates/tappaas.crt && update-ca-certificates");
            var (me, releases) = (Self(), Path.Combine(ShareRoot(), "examples", "releases"));
            releases = releases.StartsWith(Environment.CurrentDirectory + "/", StringComparison.Ordinal) ? Path.GetRelativePath(Environment.CurrentDirectory, releases) : releases;
            output.WriteLine($"  next:                 {me} status   {me} logs counter -f   {me} backup counter   {me} events -f");
            output.WriteLine($"  an update:            cp -r {releases}/counter-v2/. {Path.Combine(site, "repository", "counter")}/ && {me} update counter");
            output.WriteLine($"  stop it:              {me} down   (--purge also removes the site)");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Down(TextWriter output, TextWriter error, TimeProvider time)
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "The site folder (default as for up)." };
        var purge = new Option<bool>("--purge") { Description = "Also remove the site: guests' networks, firewall table, DNS and the site folder." };
        var command = new Command("down", "Stop the daemon and the guests of the site (--purge: and remove the site).") { dataDir, purge };
        command.SetAction(async (result, ct) =>
        {
            var site = Path.GetFullPath(result.GetValue(dataDir) ?? SiteOptions.Root(result));
            if (!SiteHost.Exists(site))
            {
                output.WriteLine($"no site at {site}: nothing to stop");
                return ExitCodes.Ok;
            }

            await DaemonLauncher.ForThisHost().DisableAsync(site, ct);
            var pidFile = Path.Combine(site, "daemon.pid");
            if (File.Exists(pidFile) && int.TryParse(await File.ReadAllTextAsync(pidFile, ct), out var pid) && IsDaemon(pid))
            {
                using var process = Process.GetProcessById(pid);
                using (var term = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    await term.WaitForExitAsync(ct); // SIGTERM: a graceful stop; guests are left alone by the daemon
                }

                try
                {
                    await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
                }
                catch (TimeoutException)
                {
                    error.WriteLine($"error: the daemon (pid {pid}) did not stop within 30 s of SIGTERM; stop it with: kill -9 {pid}");
                    return ExitCodes.Failed;
                }

                output.WriteLine($"stopped the daemon (pid {pid})");
            }

            File.Delete(pidFile);
            if (await Composition.DataPlane.StopAsync(site, TimeSpan.FromSeconds(10), ct) is { } proxy)
            {
                output.WriteLine($"stopped the proxy (pid {proxy})"); // after the daemon, which would start it again
            }

            await SiteHost.StopAsync(site, result.GetValue(purge), output.WriteLine, time, ct);
            if (result.GetValue(purge))
            {
                SiteRegistry.Remove(site);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<string?> PackagesAsync(TextWriter output, TextWriter error, bool noInstall, CancellationToken ct)
    {
        var missing = new List<(string Package, string Why)>();
        foreach (var (package, why) in s_packages)
        {
            var psi = new ProcessStartInfo("dpkg", ["-s", package]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            await p.WaitForExitAsync(ct);
            if (p.ExitCode != 0)
            {
                missing.Add((package, why));
            }
        }

        if (missing.Count == 0)
        {
            return null;
        }

        var names = string.Join(' ', missing.Select(m => m.Package));
        foreach (var (package, why) in missing)
        {
            output.WriteLine($"needs the Debian package {package}: {why}");
        }

        if (noInstall || Environment.UserName != "root")
        {
            return names;
        }

        output.WriteLine($"installing {names} (apt-get) ...");
        foreach (var args in new[] { new[] { "update", "-qq" }, ["install", "-y", "-qq", .. missing.Select(m => m.Package)] })
        {
            var psi = new ProcessStartInfo("apt-get", args) { Environment = { ["DEBIAN_FRONTEND"] = "noninteractive" } };
            using var p = Process.Start(psi)!;
            await p.WaitForExitAsync(ct);
            if (p.ExitCode != 0)
            {
                error.WriteLine($"apt-get {args[0]} failed ({p.ExitCode})");
                return names;
            }
        }

        return null;
    }

    private static async Task<bool> WaitGuestsReadyAsync(TappaasClient client, TimeSpan deadline, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < deadline)
        {
            if ((await client.StatusAsync(ct)).Value is { } status && status.Guests.Where(g => s_stack.Contains(g.Module)).All(g => g.Ready))
            {
                return true;
            }

            await Task.Delay(250, ct);
        }

        return false;
    }

    private static async Task<bool> WaitHealthyAsync(string site, string apiUrl, TimeSpan deadline, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < deadline)
        {
            if (await HealthyAsync(site, apiUrl, ct))
            {
                return true;
            }

            await Task.Delay(200, ct);
        }

        return false;
    }

    // Healthy: the daemon answers over TLS with a certificate from this site's CA (so it is this site's daemon).
    private static async Task<bool> HealthyAsync(string site, string apiUrl, CancellationToken ct)
    {
        if (!File.Exists(ApiConnection.RootFile(site)))
        {
            return false;
        }

        using var probe = new TappaasClient(ApiConnection.Discover(site, apiUrl, null)!);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            return (await probe.HealthAsync(timeout.Token)).Ok;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
        }
    }

    private static bool IsDaemon(int pid) =>
        File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Contains("tappaasd", StringComparison.Ordinal);

    /// <summary>
    /// Where the example stack and its releases are: the repository the CLI was built from (<c>.build/cli</c> lies in
    /// it), else the installed package's share folder (<c>/usr/lib/tappaas</c> beside <c>/usr/share/tappaas</c>), else the
    /// current folder.
    /// </summary>
    internal static string ShareRoot() => ShareRoot(AppContext.BaseDirectory) ?? Environment.CurrentDirectory;

    /// <summary>The share folder for a CLI installed in <paramref name="baseDirectory"/>, or null when there is none.</summary>
    internal static string? ShareRoot(string baseDirectory)
    {
        for (var dir = new DirectoryInfo(baseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "examples", "stack")))
            {
                return dir.FullName;
            }
        }

        var share = Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", "share", "tappaas"));
        return Directory.Exists(Path.Combine(share, "examples", "stack")) ? share : null;
    }

    /// <summary>How the user runs this CLI: <c>./tappaas</c> in a clone (beside its launcher script), else <c>tappaas</c>.</summary>
    private static string Self() => File.Exists(Path.Combine(ShareRoot(), "tappaas")) ? "./tappaas" : "tappaas";
}
