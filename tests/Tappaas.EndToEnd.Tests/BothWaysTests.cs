using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tappaas.TestUtilities;

namespace Tappaas.EndToEnd.Tests;

/// <summary>
/// Every site command has one body whichever way it reaches the site: two identical sites get the same commands, one
/// through its running daemon and one in-process (<c>--local</c>), and every exit code and every JSON answer agrees.
/// </summary>
public sealed partial class BothWaysTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_site_command_answers_the_same_through_the_daemon_and_in_process()
    {
        using var fx = new SiteFixture();
        var remote = fx.Site;
        var local = Path.Combine(fx.Root, "local-site");
        await fx.InitAsync(remote);
        await fx.InitAsync(local);
        using var daemon = await StartDaemonAsync(remote);
        var output = Path.Combine(fx.Root, "out");
        Directory.CreateDirectory(output);

        var seen = new List<string>();
        var text = false; // compare standard output as text too (commands without --json)
        async Task Same(int expected, params string[] args)
        {
            var a = await RunAsync(remote, ["--api", daemon.Url, "--token-file", Client.ApiConnection.InitialTokenFile(remote), .. args.Select(x => x.Replace("{site}", "remote", StringComparison.Ordinal))]);
            var b = await RunAsync(local, ["--local", .. args.Select(x => x.Replace("{site}", "local", StringComparison.Ordinal))]);
            var what = string.Join(' ', args);
            Assert.True(expected == a.Code, $"{what} through the daemon exited {a.Code}, not {expected}: {a.Stdout}{a.Stderr}");
            Assert.True(expected == b.Code, $"{what} in-process exited {b.Code}, not {expected}: {b.Stdout}{b.Stderr}");
            Assert.Equal(Errors(b.Stderr + b.Stdout, local), Errors(a.Stderr + a.Stdout, remote));
            if (args.Contains("--json"))
            {
                Assert.Equal(Normalise(b.Stdout, local), Normalise(a.Stdout, remote));
            }
            else if (text)
            {
                Assert.Equal(b.Stdout.Replace(local, "SITE", StringComparison.Ordinal), a.Stdout.Replace(remote, "SITE", StringComparison.Ordinal));
            }

            seen.Add(args[0] is "backup" or "secret" or "registry" or "site" || args is ["images", "prune", ..] ? $"{args[0]} {args[1]}" : args[0]);
        }

        await Same(0, "status", "--json");
        await Same(2, "plan", "--json", "cluster", "db", "web");
        await Same(1, "plan", "web"); // its providers are neither installed nor given
        await Same(2, "install", "no-such-module");
        await Same(0, "install", "--json", "cluster", "db", "web");
        await Same(0, "plan", "--json");

        await Same(0, "status", "--json");
        await Same(0, "test", "web");

        fx.WebRelease(cores: 8);
        await Same(2, "plan", "--json", "--steps", "web");
        await Same(2, "plan", "web", "--out", Path.Combine(output, "{site}-plan.json"));
        Assert.Equal(Normalise(File.ReadAllText(Path.Combine(output, "local-plan.json")), local),
            Normalise(File.ReadAllText(Path.Combine(output, "remote-plan.json")), remote));
        await Same(0, "update", "--json", "web");
        await Same(1, "apply", Path.Combine(output, "{site}-plan.json")); // stale: the site moved on
        await Same(0, "history", "--json", "web");
        await Same(0, "rollback", "--json", "web");
        await Same(1, "rollback", "web", "--to", "99"); // refused: no such revision
        await Same(0, "journal", "--json", "2");
        await Same(1, "journal", "99");
        await Same(0, "resume", "--json");
        await Same(0, "logs", "--json", "web");

        await Same(0, "export", "--json", Path.Combine(output, "{site}-export"));
        Assert.Equal(Listing(Path.Combine(output, "local-export")), Listing(Path.Combine(output, "remote-export")));
        await Same(2, "import", "--json", Path.Combine(output, "no-such-folder"));

        // A module folder of this host: in-process it is read where it is; the daemon takes it sent along (an upload).
        var extra = Path.Combine(output, "extra");
        Directory.CreateDirectory(extra);
        File.WriteAllText(Path.Combine(extra, "extra.json"), """{"description": "extra", "version": "1.0"}""");
        File.WriteAllText(Path.Combine(extra, "install.sh"), "#!/bin/sh\npwd > \"$TAPPAAS_SITE/extra-installed-from\"\n");
        await Same(0, "install", "--json", extra); // after export: the module files record where each came from
        Assert.Equal(extra, File.ReadAllText(Path.Combine(local, "extra-installed-from")).Trim());
        Assert.StartsWith(Path.Combine(remote, "uploads", "extra") + "/", File.ReadAllText(Path.Combine(remote, "extra-installed-from")).Trim(), StringComparison.Ordinal);
        await Same(0, "status", "--json");

        File.WriteAllText(Path.Combine(output, "value"), "s3cret");
        text = true;
        await Same(0, "secret", "set", "db-password", "--from-file", Path.Combine(output, "value"));
        await Same(0, "secret", "list"); // the daemon's token files beside the secrets are not secrets
        await Same(2, "secret", "set", "tokens.json", "--from-file", Path.Combine(output, "value"));
        await Same(0, "secret", "delete", "db-password");
        await Same(1, "secret", "delete", "db-password");
        await Same(0, "secret", "list");
        text = false;
        await Same(0, "nodes", "--json");
        await Same(1, "migrate", "web", "--node", "pve2"); // no Proxmox VE here: refused the same way
        await Same(1, "evacuate", "pve1");
        await Same(0, "backup", "web", "--json");
        await Same(0, "backups", "--json");
        await Same(1, "backup", "verify", "web", "--json");
        await Same(0, "backup", "run-due", "--json");
        await Same(0, "site", "backup", "--json");
        await Same(0, "restore", "web", "--json");
        await Same(0, "promote", "web");
        await Same(1, "scale", "web", "2"); // no workload block on this backend

        await Same(1, "delete", "web"); // not confirmed
        await Same(1, "delete", "db", "--yes"); // web uses it
        await Same(0, "delete", "web", "--yes");
        await Same(0, "delete", "db", "--yes", "--remove");
        await Same(0, "images", "--json");
        await Same(0, "images", "prune", "--json");
        await Same(0, "registry", "logout", "127.0.0.1:5999"); // no credentials kept for it
        await Same(0, "events", "--json", "--limit", "100");
        await Same(0, "status", "--json");

        Assert.Equal(fx.SqlMarkers(local), fx.SqlMarkers(remote));
        var commands = new[] { "status", "plan", "install", "test", "update", "apply", "history", "rollback", "journal", "resume", "logs", "export",
            "import", "secret set", "secret list", "secret delete", "nodes", "migrate", "evacuate", "backup web", "backups", "backup verify", "backup run-due", "site backup", "restore",
            "promote", "scale", "delete", "events", "images", "images prune", "registry logout" };
        Assert.Empty(commands.Except(seen));
    }

    /// <summary>One JSON document, or JSON Lines (logs, events), with the site's folder, times and durations taken out.</summary>
    private static string Normalise(string json, string site)
    {
        var text = Stamp().Replace(json.Replace(site, "SITE", StringComparison.Ordinal), "TIME")
            .Replace("/out/remote-", "/out/SITE-", StringComparison.Ordinal).Replace("/out/local-", "/out/SITE-", StringComparison.Ordinal);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var documents = lines.Length > 1 && lines.All(l => l.StartsWith('{') && l.EndsWith('}')) ? lines : [text];
        return string.Join('\n', documents.Select(d => Strip(JsonNode.Parse(d))?.ToJsonString() ?? "null"));
    }

    /// <summary>Times and durations differ between any two runs; everything else must not.</summary>
    private static JsonNode? Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (Volatile().IsMatch(key))
                    {
                        o.Remove(key);
                    }
                    else
                    {
                        Strip(o[key]);
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    Strip(a[i]);
                }

                break;
        }

        return node;
    }

    [GeneratedRegex("(?i)(^at$|At$|time|duration|seconds|^ms$|Ms$|started|finished|^age$|message|^cpu$|^memory$|^storage$|uptime|load|snapshot|shortId)")] // and a node's live load
    private static partial Regex Volatile();

    /// <summary>A time written anywhere in a value (ISO 8601, upstream's installed-stamp 20261201-15:58:56, a snapshot's name tappaas-20261201-160040935).</summary>
    [GeneratedRegex(@"\d{4}-?\d\d-?\d\d[T -]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?|\d{8}-\d{6,9}")]
    private static partial Regex Stamp();

    /// <summary>The error and warning lines a command printed (its diagnostics and its failure), the site's folder taken out.</summary>
    private static string[] Errors(string output, string site) =>
        [.. output.Replace(site, "SITE", StringComparison.Ordinal).Split('\n').Select(l => l.Trim())
            .Where(l => l.StartsWith("error", StringComparison.Ordinal) || l.StartsWith("warning", StringComparison.Ordinal) || l.StartsWith("hint", StringComparison.Ordinal))];

    private static string[] Listing(string folder) =>
        [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f) + " " + File.ReadAllText(f).Length).Order(StringComparer.Ordinal)];

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string site, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", [Cli.Dll, "--site", site, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync(Ct);
        var stderr = p.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    private static async Task<DaemonProcess> StartDaemonAsync(string site)
    {
        var listen = $"http://127.0.0.1:{SiteHttps.FreePort()}";
        var (process, _) = await Daemon.StartAsync(site, listen, Ct, "--initial-token-file", Client.ApiConnection.InitialTokenFile(site));
        var daemon = new DaemonProcess(process, listen);
        Assert.True(File.Exists(Client.ApiConnection.InitialTokenFile(site)), "the daemon wrote no initial token file");
        return daemon;
    }

    private sealed record DaemonProcess(Process Process, string Url) : IDisposable
    {
        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
                Process.WaitForExit();
            }

            Process.Dispose();
        }
    }
}
