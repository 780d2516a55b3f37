using System.Diagnostics;
using Tappaas.Client;
using Tappaas.Engine.Site;

namespace Tappaas.Bench;

/// <summary>
/// <c>tappaas status</c> through a running daemon, as an operator types it: the package's CLI (compiled ahead of time,
/// built here into <c>.build/cli-aot</c> when it is missing or older than the sources, or <c>--cli PATH</c>), started
/// 10 times after one warm-up, beside <c>kubectl version --client</c> (a Go CLI that does no request at all) and curl
/// of the same endpoint over the daemon's socket, measured the same way in the same run. Targets: the median under
/// 100 ms and at most 2x kubectl's.
/// </summary>
internal static class CliBenchmark
{
    private const int Runs = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var cli = args.Length >= 2 && args[0] == "--cli" ? Path.GetFullPath(args[1]) : await NativeCliAsync();
        var root = Path.Combine("/var/tmp", "tappaas-bench-cli-" + Guid.NewGuid().ToString("N")[..8]);
        var layout = new SiteLayout(Path.Combine(root, "site"));
        SiteInitializer.Initialize(layout, "example.org", new Dictionary<string, string> { ["cluster:*"] = "fake" }, []);
        var tokenFile = Path.Combine(root, "token");
        var url = $"https://127.0.0.1:{Stats.FreePort()}";
        using var daemon = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "tappaasd.dll"), "--site", layout.Root,
            "--listen", url, "--initial-token-file", tokenFile]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        try
        {
            var token = await WaitAsync(layout.Root, url, tokenFile);
            var socket = ApiConnection.SocketFile(layout.Root);
            var env = new Dictionary<string, string> { ["TAPPAAS_TOKEN"] = token };
            Console.WriteLine($"tappaas status through the daemon (its socket {socket}), {Runs} runs after a warm-up; the CLI: {cli}");
            var ours = Time(cli, ["--site", layout.Root, "status"], env);
            var curl = Time("curl", ["-sf", "-o", "/dev/null", "--unix-socket", socket, "-H", $"Authorization: Bearer {token}", "http://localhost/api/v1/status"], []);
            var kubectl = File.Exists("/usr/bin/kubectl") ? Time("/usr/bin/kubectl", ["version", "--client"], []) : (double?)null;
            Console.WriteLine($"  tappaas status:             median {ours,6:0.0} ms");
            Console.WriteLine($"  curl of /api/v1/status:     median {curl,6:0.0} ms  (the request alone; tappaas/curl {ours / curl:0.00}x)");
            if (kubectl is { } k)
            {
                Console.WriteLine($"  kubectl version --client:   median {k,6:0.0} ms  (tappaas/kubectl {ours / k:0.00}x; target <= 2x: {(ours <= 2 * k ? "met" : "MISSED")})");
            }
            else
            {
                Console.WriteLine("  kubectl version --client:   not installed (apt-get install kubernetes-client), no ratio");
            }

            Console.WriteLine($"  target median < 100 ms: {(ours < 100 ? "met" : "MISSED")}");
            return ours < 100 && (kubectl is not { } kk || ours <= 2 * kk) ? 0 : 1;
        }
        finally
        {
            daemon.Kill();
            await daemon.WaitForExitAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    // The median of the runs after one warm-up, in milliseconds; a run that fails stops the benchmark.
    private static double Time(string file, string[] arguments, Dictionary<string, string> env)
    {
        var times = new List<double>();
        for (var i = 0; i <= Runs; i++)
        {
            var psi = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }

            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            var ms = sw.Elapsed.TotalMilliseconds;
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {p.ExitCode}: {error}{output.Result}");
            }

            if (i > 0)
            {
                times.Add(ms);
            }
        }

        return Stats.Median(times);
    }

    private static async Task<string> WaitAsync(string site, string url, string tokenFile)
    {
        for (var i = 0; i < 300; i++)
        {
            if (File.Exists(tokenFile) && File.Exists(ApiConnection.SocketFile(site)))
            {
                var token = File.ReadAllText(tokenFile).Trim();
                using var client = new TappaasClient(ApiConnection.Discover(site, url, token)!);
                if ((await client.HealthAsync(CancellationToken.None)).Ok)
                {
                    return token;
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the daemon did not answer on {url} within 30 s");
    }

    // The CLI as the amd64 package ships it, compiled ahead of time into .build/cli-aot (again when a source is newer).
    private static async Task<string> NativeCliAsync()
    {
        try
        {
            return await PackageBuild.PublishAsync("cli-aot", "tappaas", "the CLI compiled ahead of time (a few minutes)", "-p:PublishAot=true");
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{e.Message}; it needs clang and zlib1g-dev, or pass --cli PATH");
        }
    }
}
