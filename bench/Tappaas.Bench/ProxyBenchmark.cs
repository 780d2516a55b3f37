using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Tappaas.Abstractions.Providers;
using Tappaas.Composition;
using Tappaas.Daemon;
using Tappaas.Engine.Site;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;

namespace Tappaas.Bench;

/// <summary>
/// The reverse proxy against nginx and Caddy (Debian's), each an equivalent TLS-terminating reverse proxy, in one run on
/// the same machine with the same backend (a guest serving 1 KB responses): wrk, 64 connections, HTTP/1.1 keep-alive.
/// Prints requests/s and p50/p99 for direct (plain HTTP to the guest) and the three proxies, each proxy's CPU time per
/// request (its processes' user + system time over the round, divided by the requests wrk completed) and ours's
/// allocation per request (from its control socket), and the ratios: throughput as fast as each goes (targets: at least
/// 0.8 of nginx's, at least Caddy's), and the p99 added over direct at a fixed pace all of them sustain (target: under 1.5 ms).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static partial class ProxyBenchmark
{
    private const string Host = "bench.tappaas.internal";
    private const string Instance = "bp";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 2 && args[0] == "backend")
        {
            return await BackendAsync(int.Parse(args[1], CultureInfo.InvariantCulture));
        }

        Tappaas.Daemon.Proxy.InlineSocketCompletions.Enable(); // as tappaasd does when it runs the proxy, before any socket
        foreach (var tool in new[] { "/usr/bin/wrk", "/usr/sbin/nginx", "/usr/bin/caddy" })
        {
            if (!File.Exists(tool))
            {
                Console.Error.WriteLine($"error: {tool} is missing; install Debian's wrk, nginx and caddy (apt-get install -y wrk nginx caddy)");
                return 2;
            }
        }

        var seconds = Option(args, "--seconds", 10);
        var rounds = Option(args, "--rounds", 5);
        var root = Path.Combine("/var/tmp", "tappaas-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var layout = new SiteLayout(Path.Combine(root, "site"));
        SiteInitializer.Initialize(layout, "tappaas.internal", new Dictionary<string, string> { ["cluster:*"] = "embedded", ["firewall:*"] = "embedded" }, []);
        TestUtilities.EmbeddedSites.Separate(layout.Root, Instance, 250); // its own bridge, namespace and table names: a site on this host is left alone
        Directory.CreateDirectory(Path.Combine(root, "module"));
        // The guest runs this program in its backend mode (through dotnet, or the app host 'dotnet run' started).
        var self = Environment.ProcessPath ?? "dotnet";
        var launch = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? $"\"command\": \"{self}\", \"args\": [\"{typeof(ProxyBenchmark).Assembly.Location}\", \"proxy\", \"backend\", \"${{port:http}}\"]"
            : $"\"command\": \"{self}\", \"args\": [\"proxy\", \"backend\", \"${{port:http}}\"]";
        var module = new ModuleDefinition("bench", "bench.json", (JObject)JsonSource.Parse("bench", Encoding.UTF8.GetBytes(
            "{\"vmid\": 400, \"zone0\": \"srvHome\", \"proxyDomain\": \"" + Host + "\", \"proxyPort\": 8080, \"proxyAllowedZones\": [\"mgmt\"], " +
            "\"dependsOn\": [\"cluster:vm\", \"firewall:proxy\"], \"config\": {\"cluster:vm\": {\"image\": \"x\", \"memory\": 1024, \"cores\": 2, \"workload\": " +
            "{" + launch + ", " +
            "\"ports\": {\"http\": 8080}, \"health\": {\"readiness\": {\"tcp\": {\"port\": \"http\"}, \"interval\": \"100ms\"}}, \"stopGrace\": \"2s\"}}}}")).Root!);
        File.WriteAllText(layout.ModuleFile("bench"), JsonText.Write(module.Root));
        var (session, error) = await SiteSession.OpenAsync(layout.Root, CancellationToken.None);
        var request = new ProviderRequest(module, ServiceRef.Parse("cluster:vm"), Path.Combine(root, "module"), layout.Root, HookFlags.None);
        Process? nginx = null;
        Process? caddy = null;
        Microsoft.AspNetCore.Builder.WebApplication? daemon = null;
        try
        {
            var platform = session!.Services.GetRequiredService<Platform.Embedded.EmbeddedPlatform>();
            var install = await platform.Vm.InstallAsync(request, CancellationToken.None);
            if (!install.Succeeded)
            {
                throw new InvalidOperationException(install.Message);
            }

            var spec = platform.Runtime.Spec("bench-0")!;
            var backend = $"{spec.Address}:{spec.Ports["http"]}";
            var (ours, theirs, caddys) = (Stats.FreePort(), Stats.FreePort(), Stats.FreePort());
            daemon = await DaemonApp.BuildAsync(new DaemonOptions(layout.Root, $"http://127.0.0.1:{Stats.FreePort()}", Timeout.InfiniteTimeSpan, $"https://127.0.0.1:{ours}"), TextWriter.Null, b => b.Logging.ClearProviders());
            await daemon.StartAsync();

            // nginx and Caddy with the same certificate, the same upstream, keep-alive to it and the X-Forwarded headers our proxy sends.
            var ca = new Daemon.Proxy.SiteCertificateAuthority(layout.Root, "tappaas.internal", TimeProvider.System);
            var leaf = ca.ServerCertificate(Host);
            var dir = Path.Combine(root, "peers");
            Directory.CreateDirectory(dir);
            await File.WriteAllTextAsync(Path.Combine(dir, "leaf.pem"), leaf.ExportCertificatePem() + "\n" + ca.Root.ExportCertificatePem() + "\n");
            await File.WriteAllTextAsync(Path.Combine(dir, "leaf.key"), System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions.GetECDsaPrivateKey(leaf)!.ExportPkcs8PrivateKeyPem());
            await File.WriteAllTextAsync(Path.Combine(dir, "nginx.conf"), $$"""
                worker_processes {{Environment.ProcessorCount}};
                error_log {{dir}}/error.log;
                pid {{dir}}/nginx.pid;
                events { worker_connections 1024; }
                http {
                  access_log off;
                  upstream guest { server {{backend}}; keepalive 64; }
                  server {
                    listen 127.0.0.1:{{theirs}} ssl;
                    server_name {{Host}};
                    ssl_certificate {{dir}}/leaf.pem;
                    ssl_certificate_key {{dir}}/leaf.key;
                    location / {
                      proxy_pass http://guest;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_set_header Host $host;
                      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                      proxy_set_header X-Forwarded-Proto $scheme;
                      proxy_set_header X-Forwarded-Host $host;
                    }
                  }
                }
                """);
            // Caddy sets X-Forwarded-For/-Proto/-Host itself and keeps connections to the upstream alive by default.
            await File.WriteAllTextAsync(Path.Combine(dir, "Caddyfile"), $$"""
                {
                	admin off
                	auto_https off
                	default_sni {{Host}}
                	storage file_system {{dir}}/caddy
                	log {
                		level ERROR
                	}
                }
                https://:{{caddys}} {
                	bind 127.0.0.1
                	tls {{dir}}/leaf.pem {{dir}}/leaf.key
                	reverse_proxy {{backend}} {
                		header_up X-Real-IP {remote_host}
                	}
                }
                """);
            nginx = Process.Start(new ProcessStartInfo("/usr/sbin/nginx", ["-c", Path.Combine(dir, "nginx.conf"), "-p", dir, "-g", "daemon off;"]) { RedirectStandardError = true })!;
            caddy = Process.Start(new ProcessStartInfo("/usr/bin/caddy", ["run", "--config", Path.Combine(dir, "Caddyfile"), "--adapter", "caddyfile"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                Environment = { ["HOME"] = dir, ["XDG_CONFIG_HOME"] = dir, ["XDG_DATA_HOME"] = dir },
            })!;
            _ = caddy.StandardOutput.ReadToEndAsync();
            var caddyLog = caddy.StandardError.ReadToEndAsync();
            await WaitForRouteAsync(ours);
            await Task.Delay(500);

            var proxy = Composition.DataPlane.Running(layout.Root)?.Pid ?? throw new InvalidOperationException("the proxy is not running");
            using var control = new HttpClient(Client.LocalSocket.Handler(Composition.DataPlane.ControlSocket(layout.Root)));
            var paths = new Paths($"http://{backend}/",
                new Peer("our proxy", $"https://127.0.0.1:{ours}/", () => [proxy], control),
                new Peer("nginx", $"https://127.0.0.1:{theirs}/", () => [nginx.Id, .. Children(nginx.Id)], null),
                new Peer("caddy", $"https://127.0.0.1:{caddys}/", () => [caddy.Id], null));
            Console.WriteLine($"proxy benchmark: wrk, 64 connections, HTTP/1.1 keep-alive, 1 KB responses from one guest ({backend}); " +
                $"our proxy is tappaasd proxy ({Path.GetFileName(Composition.DataPlane.Daemon(AppContext.BaseDirectory)[^1])}, workstation GC); nginx {Environment.ProcessorCount} workers; Caddy {Version("/usr/bin/caddy", "version")}");
            await WrkAsync(paths.Direct, 2); // warm-up
            await WrkAsync(paths.Ours.Url, 10); // .NET's tiered JIT reaches its steady state only after seconds of load
            await WrkAsync(paths.Nginx.Url, 5);
            await WrkAsync(paths.Caddy.Url, 5);

            // Throughput: each connection sends its next request as soon as the answer is in (the machine saturated).
            Console.WriteLine($"throughput ({rounds} alternating rounds of {seconds} s, as fast as each goes):");
            var saturated = await RoundsAsync(rounds, seconds, paths, script: null, () => Failed(nginx, caddy, dir, caddyLog));
            var ratio = Stats.Median(saturated.Select(r => r.Ours.Rps / r.Nginx.Rps));
            var caddyRatio = Stats.Median(saturated.Select(r => r.Ours.Rps / r.Caddy.Rps));

            // Added latency: the same 64 connections at a fixed pace every path sustains (each sends a request 10 ms after
            // its previous answer, about 6,000 req/s in all). At saturation the latency of a closed loop is its
            // connections divided by its throughput (Little's law), so it restates the throughput, not what a hop adds.
            var pace = Path.Combine(dir, "pace.lua");
            await File.WriteAllTextAsync(pace, "function delay()\n  return 10\nend\n");
            Console.WriteLine($"latency ({rounds} alternating rounds of {seconds} s, each connection pausing 10 ms between requests):");
            var paced = await RoundsAsync(rounds, seconds, paths, script: pace, () => Failed(nginx, caddy, dir, caddyLog));
            var added = Stats.Median(paced.Select(r => r.Ours.P99 - r.Direct.P99));
            var errors = saturated.Concat(paced).Sum(r => r.Ours.Errors);
            string Cpu(Func<Round, Result> of) => $"{Stats.Median(saturated.Select(r => of(r).CpuPerRequest)):0.0} us";

            Console.WriteLine($"  throughput vs nginx: {ratio:0.00} (median of {rounds} rounds; target >= 0.8) {(ratio >= 0.8 ? "PASS" : "FAIL")}");
            Console.WriteLine($"  throughput vs caddy: {caddyRatio:0.00} (median of {rounds} rounds; target >= 1.0) {(caddyRatio >= 1.0 ? "PASS" : "FAIL")}");
            Console.WriteLine($"  p99 added over direct at a fixed pace: {added:0.00} ms (median of {rounds} rounds; target < 1.5 ms) {(added < 1.5 ? "PASS" : "FAIL")}; " +
                $"nginx adds {Stats.Median(paced.Select(r => r.Nginx.P99 - r.Direct.P99)):0.00} ms, caddy {Stats.Median(paced.Select(r => r.Caddy.P99 - r.Direct.P99)):0.00} ms");
            Console.WriteLine($"  CPU per request at saturation (median): ours {Cpu(r => r.Ours)}, nginx {Cpu(r => r.Nginx)}, caddy {Cpu(r => r.Caddy)}; " +
                $"ours allocates {Stats.Median(saturated.Select(r => r.Ours.AllocatedPerRequest)) / 1024:0.00} KiB per request");
            Console.WriteLine($"  p99 added over direct at saturation (informative): ours {Stats.Median(saturated.Select(r => r.Ours.P99 - r.Direct.P99)):0.00} ms, nginx {Stats.Median(saturated.Select(r => r.Nginx.P99 - r.Direct.P99)):0.00} ms, caddy {Stats.Median(saturated.Select(r => r.Caddy.P99 - r.Direct.P99)):0.00} ms");
            Console.WriteLine($"  failed requests through our proxy: {errors}");
            return ratio >= 0.8 && caddyRatio >= 1.0 && added < 1.5 && errors == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var peer in new[] { nginx, caddy })
            {
                if (peer is { HasExited: false })
                {
                    peer.Kill(entireProcessTree: true); // nginx's workers too
                    await peer.WaitForExitAsync();
                }
            }

            if (daemon is not null)
            {
                await daemon.StopAsync();
            }

            await Composition.DataPlane.StopAsync(layout.Root, TimeSpan.FromSeconds(5), CancellationToken.None); // the proxy outlives the daemon
            if (session is not null)
            {
                var platform = session.Services.GetRequiredService<Platform.Embedded.EmbeddedPlatform>();
                await platform.Vm.DeleteAsync(request, CancellationToken.None);
                await platform.Network.RemoveAsync(CancellationToken.None); // the zone's bridge and the site's table
                await session.DisposeAsync();
            }

            await TestUtilities.EmbeddedSites.RemoveHostObjectsAsync(Instance, layout.Root); // whatever a failure left
            Directory.Delete(root, recursive: true);
        }
    }

    private static int Option(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

    private static string Version(string tool, string argument)
    {
        using var p = Process.Start(new ProcessStartInfo(tool, [argument]) { RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return text.Split(' ')[0];
    }

    private static string? Failed(Process nginx, Process caddy, string dir, Task<string> caddyLog) =>
        nginx.HasExited ? $"nginx exited: {nginx.StandardError.ReadToEnd()} {(File.Exists(Path.Combine(dir, "error.log")) ? File.ReadAllText(Path.Combine(dir, "error.log")) : "")}"
        : caddy.HasExited ? $"caddy exited: {caddyLog.Result}"
        : null;

    /// <summary>A proxy under test: where wrk sends, the processes whose CPU time it costs, and (ours) its control socket.</summary>
    private sealed record Peer(string Name, string Url, Func<int[]> Processes, HttpClient? Control);

    private sealed record Paths(string Direct, Peer Ours, Peer Nginx, Peer Caddy);

    private sealed record Round(Result Direct, Result Ours, Result Nginx, Result Caddy);

    private static async Task<List<Round>> RoundsAsync(int rounds, int seconds, Paths paths, string? script, Func<string?> failed)
    {
        var runs = new List<Round>();
        for (var round = 0; round < rounds; round++)
        {
            // The same order each round, alternating the proxies so drift in the machine's load hits them alike.
            var d = await WrkAsync(paths.Direct, seconds, script);
            var o = await MeasuredAsync(paths.Ours, seconds, script);
            var n = await MeasuredAsync(paths.Nginx, seconds, script);
            var c = await MeasuredAsync(paths.Caddy, seconds, script);
            if ((n.Rps == 0 || c.Rps == 0) && failed() is { } why)
            {
                throw new InvalidOperationException(why);
            }

            runs.Add(new Round(d, o, n, c));
            Console.WriteLine($"  round {round + 1}: direct {d.Rps,6:0}/s p99 {d.P99,5:0.00} | ours {o.Rps,6:0}/s p50 {o.P50,5:0.00} p99 {o.P99,6:0.00} ms {o.CpuPerRequest,5:0.0} us CPU " +
                $"{o.AllocatedPerRequest / 1024,4:0.00} KiB {o.Collections} GCs {o.Paused:0} ms paused errors {o.Errors} | nginx {n.Rps,6:0}/s p50 {n.P50,5:0.00} p99 {n.P99,6:0.00} ms {n.CpuPerRequest,5:0.0} us | " +
                $"caddy {c.Rps,6:0}/s p50 {c.P50,5:0.00} p99 {c.P99,6:0.00} ms {c.CpuPerRequest,5:0.0} us | vs nginx {o.Rps / n.Rps:0.00}, caddy {o.Rps / c.Rps:0.00}");
        }

        return runs;
    }

    /// <summary>A wrk run against a proxy with what it cost the proxy: CPU time (and for ours, allocation and collections) per completed request.</summary>
    private static async Task<Result> MeasuredAsync(Peer peer, int seconds, string? script)
    {
        var pids = peer.Processes();
        var cpu = pids.Sum(CpuTicks);
        var before = peer.Control is null ? null : await RuntimeAsync(peer.Control);
        var result = await WrkAsync(peer.Url, seconds, script);
        var after = peer.Control is null ? null : await RuntimeAsync(peer.Control);
        var requests = Math.Max(1, result.Requests);
        result = result with { CpuPerRequest = (pids.Sum(CpuTicks) - cpu) * 1e6 / TicksPerSecond / requests };
        if (before is not null && after is not null)
        {
            result = result with
            {
                AllocatedPerRequest = (after.AllocatedBytes - before.AllocatedBytes) / (double)requests,
                Collections = after.Gen0 - before.Gen0,
                Paused = after.PauseMilliseconds - before.PauseMilliseconds,
            };
        }

        return result;
    }

    private static async Task<Daemon.Proxy.ProxyRuntime?> RuntimeAsync(HttpClient control)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(await control.GetStringAsync("http://proxy/runtime"))!;
        return new(node["allocatedBytes"]!.GetValue<long>(), node["gen0"]!.GetValue<int>(), node["gen1"]!.GetValue<int>(), node["gen2"]!.GetValue<int>(),
            node["pauseMilliseconds"]!.GetValue<double>(), node["cpuMilliseconds"]!.GetValue<double>(), node["threads"]!.GetValue<int>());
    }

    private const double TicksPerSecond = 100; // USER_HZ, what /proc reports times in on Linux

    // A process's user + system time so far, in clock ticks (fields 14 and 15 of /proc/PID/stat, after the command's closing parenthesis).
    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static int[] Children(int pid) =>
        [.. Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(d => d!.All(char.IsAsciiDigit)).Select(d => int.Parse(d!, CultureInfo.InvariantCulture))
            .Where(p => { try { var s = File.ReadAllText($"/proc/{p}/stat"); return s[(s.LastIndexOf(')') + 2)..].Split(' ')[1] == pid.ToString(CultureInfo.InvariantCulture); } catch (IOException) { return false; } })];

    /// <summary>The guest's workload: 1 KB for every request (Kestrel, keep-alive).</summary>
    private static async Task<int> BackendAsync(int port)
    {
        var body = Encoding.ASCII.GetBytes(new string('x', 1024));
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://0.0.0.0:{port}");
        var app = builder.Build();
        app.Run(async context =>
        {
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        });
        await app.RunAsync();
        return 0;
    }

    private static async Task WaitForRouteAsync(int port)
    {
        using var client = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{port}/");
                request.Headers.Host = Host;
                if ((await client.SendAsync(request)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the proxy did not serve the route within 10 s");
    }

    private readonly record struct Result(double Rps, double P50, double P99, long Errors, long Requests, double CpuPerRequest = 0, double AllocatedPerRequest = 0, int Collections = 0, double Paused = 0);

    private static async Task<Result> WrkAsync(string url, int seconds, string? script = null)
    {
        var psi = new ProcessStartInfo("/usr/bin/wrk", ["-t2", "-c64", $"-d{seconds}s", "--latency", "-H", $"Host: {Host}", .. script is null ? Array.Empty<string>() : ["-s", script], url]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        double Ms(string percent)
        {
            var m = Regex.Match(output, $@"^\s+{percent}%\s+([0-9.]+)(us|ms|s)", RegexOptions.Multiline);
            if (!m.Success)
            {
                return double.NaN;
            }

            var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return m.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
        }

        var rps = Rps().Match(output) is { Success: true } r ? double.Parse(r.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var errors = Regex.Matches(output, @"Non-2xx or 3xx responses: (\d+)|Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
            .Sum(m => m.Groups.Values.Skip(1).Where(g => g.Success).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)));
        var requests = Regex.Match(output, @"(\d+) requests in") is { Success: true } q ? long.Parse(q.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return new Result(rps, Ms("50"), Ms("99"), errors, requests);
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex Rps();
}
