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
/// The reverse proxy against nginx (Debian's) as an equivalent TLS-terminating reverse proxy, in one run on the same
/// machine with the same backend (a guest serving 1 KB responses): wrk, 64 connections, HTTP/1.1 keep-alive.
/// Prints requests/s and p50/p99 for direct (plain HTTP to the guest), our proxy and nginx, and the ratios: throughput
/// as fast as each goes (target: at least 0.7 of nginx's), and the p99 added over direct at a fixed pace all three
/// sustain (target: under 2 ms).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static partial class ProxyBenchmark
{
    private const string Host = "bench.tappaas.internal";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 2 && args[0] == "backend")
        {
            return await BackendAsync(int.Parse(args[1], CultureInfo.InvariantCulture));
        }

        Tappaas.Daemon.Proxy.InlineSocketCompletions.Enable(); // as tappaasd does when it runs the proxy, before any socket
        foreach (var tool in new[] { "/usr/bin/wrk", "/usr/sbin/nginx" })
        {
            if (!File.Exists(tool))
            {
                Console.Error.WriteLine($"error: {tool} is missing; install Debian's wrk and nginx (apt-get install -y wrk nginx)");
                return 2;
            }
        }

        var seconds = args.Length > 1 && args[0] == "--seconds" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var root = Path.Combine("/var/tmp", "tappaas-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var layout = new SiteLayout(Path.Combine(root, "site"));
        SiteInitializer.Initialize(layout, "tappaas.internal", new Dictionary<string, string> { ["cluster:*"] = "embedded", ["firewall:*"] = "embedded" }, []);
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
            var (ours, theirs) = (Stats.FreePort(), Stats.FreePort());
            daemon = await DaemonApp.BuildAsync(new DaemonOptions(layout.Root, $"http://127.0.0.1:{Stats.FreePort()}", Timeout.InfiniteTimeSpan, $"https://127.0.0.1:{ours}"), TextWriter.Null, b => b.Logging.ClearProviders());
            await daemon.StartAsync();

            // nginx with the same certificate, the same upstream, keep-alive to it and the X-Forwarded headers our proxy sends.
            var ca = new Daemon.Proxy.SiteCertificateAuthority(layout.Root, "tappaas.internal", TimeProvider.System);
            var leaf = ca.ServerCertificate(Host);
            var dir = Path.Combine(root, "nginx");
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
            nginx = Process.Start(new ProcessStartInfo("/usr/sbin/nginx", ["-c", Path.Combine(dir, "nginx.conf"), "-p", dir, "-g", "daemon off;"]) { RedirectStandardError = true })!;
            await WaitForRouteAsync(ours);
            await Task.Delay(500);

            const int rounds = 5;
            Console.WriteLine($"proxy benchmark: wrk, 64 connections, HTTP/1.1 keep-alive, 1 KB responses from one guest ({backend}); {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC as in tappaasd");
            await WrkAsync($"http://{backend}/", 2); // warm-up
            await WrkAsync($"https://127.0.0.1:{ours}/", 10); // .NET's tiered JIT reaches its steady state only after seconds of load
            await WrkAsync($"https://127.0.0.1:{theirs}/", 5);

            // Throughput: each connection sends its next request as soon as the answer is in (the machine saturated).
            Console.WriteLine($"throughput ({rounds} alternating rounds of {seconds} s, as fast as each goes):");
            var saturated = await RoundsAsync(rounds, seconds, direct: $"http://{backend}/", ours: $"https://127.0.0.1:{ours}/", nginx: $"https://127.0.0.1:{theirs}/", script: null, nginxProcess: nginx, dir);
            var ratio = Stats.Median(saturated.Select(r => r.Proxy.Rps / r.Nginx.Rps));

            // Added latency: the same 64 connections at a fixed pace every path sustains (each sends a request 10 ms after
            // its previous answer, about 6,000 req/s in all). At saturation the latency of a closed loop is its
            // connections divided by its throughput (Little's law), so it restates the throughput, not what a hop adds.
            var pace = Path.Combine(dir, "pace.lua");
            await File.WriteAllTextAsync(pace, "function delay()\n  return 10\nend\n");
            const int latencyRounds = 5;
            Console.WriteLine($"latency ({latencyRounds} alternating rounds of {seconds} s, each connection pausing 10 ms between requests):");
            var paced = await RoundsAsync(latencyRounds, seconds, direct: $"http://{backend}/", ours: $"https://127.0.0.1:{ours}/", nginx: $"https://127.0.0.1:{theirs}/", script: pace, nginxProcess: nginx, dir);
            var added = Stats.Median(paced.Select(r => r.Proxy.P99 - r.Direct.P99));
            var nginxAdded = Stats.Median(paced.Select(r => r.Nginx.P99 - r.Direct.P99));
            var errors = saturated.Concat(paced).Sum(r => r.Proxy.Errors);

            Console.WriteLine($"  throughput vs nginx: {ratio:0.00} (median of {rounds} rounds; target >= 0.7) {(ratio >= 0.7 ? "PASS" : "FAIL")}");
            Console.WriteLine($"  p99 added over direct at a fixed pace: {added:0.00} ms (median of {latencyRounds} rounds; target < 2 ms) {(added < 2 ? "PASS" : "FAIL")}; nginx adds {nginxAdded:0.00} ms");
            Console.WriteLine($"  p99 added over direct at saturation (informative): ours {Stats.Median(saturated.Select(r => r.Proxy.P99 - r.Direct.P99)):0.00} ms, nginx {Stats.Median(saturated.Select(r => r.Nginx.P99 - r.Direct.P99)):0.00} ms");
            Console.WriteLine($"  failed requests through our proxy: {errors}");
            return ratio >= 0.7 && added < 2 && errors == 0 ? 0 : 1;
        }
        finally
        {
            if (nginx is { HasExited: false })
            {
                nginx.Kill(entireProcessTree: true); // the workers too
            }

            if (daemon is not null)
            {
                await daemon.StopAsync();
            }

            await Composition.DataPlane.StopAsync(layout.Root, TimeSpan.FromSeconds(5), CancellationToken.None); // the proxy outlives the daemon

            await session!.Services.GetRequiredService<Platform.Embedded.EmbeddedPlatform>().Vm.DeleteAsync(request, CancellationToken.None);
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<List<(Result Direct, Result Proxy, Result Nginx)>> RoundsAsync(int rounds, int seconds, string direct, string ours, string nginx, string? script, Process nginxProcess, string dir)
    {
        var runs = new List<(Result Direct, Result Proxy, Result Nginx)>();
        for (var round = 0; round < rounds; round++)
        {
            // The same order each round, alternating the proxies so drift in the machine's load hits both alike.
            var d = await WrkAsync(direct, seconds, script);
            var (allocated, collections, paused) = (GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.GetTotalPauseDuration());
            var p = await WrkAsync(ours, seconds, script);
            var gc = $"{(GC.GetTotalAllocatedBytes() - allocated) / (p.Rps * seconds) / 1024:0.0} KiB/req, {GC.CollectionCount(0) - collections} GCs, {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:0} ms paused";
            var n = await WrkAsync(nginx, seconds, script);
            if (n.Rps == 0)
            {
                throw new InvalidOperationException($"nginx served nothing: {(nginxProcess.HasExited ? await nginxProcess.StandardError.ReadToEndAsync() : "")} {(File.Exists(Path.Combine(dir, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(dir, "error.log")) : "")}");
            }

            runs.Add((d, p, n));
            Console.WriteLine($"  round {round + 1}: direct {d.Rps,7:0} req/s p50 {d.P50,5:0.00} p99 {d.P99,6:0.00} ms | our proxy {p.Rps,7:0} req/s p50 {p.P50,5:0.00} p99 {p.P99,6:0.00} ms errors {p.Errors} ({gc}) | nginx {n.Rps,7:0} req/s p50 {n.P50,5:0.00} p99 {n.P99,6:0.00} ms | ratio {p.Rps / n.Rps:0.00}");
        }

        return runs;
    }

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

    private readonly record struct Result(double Rps, double P50, double P99, long Errors);

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
        return new Result(rps, Ms("50"), Ms("99"), errors);
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex Rps();
}
