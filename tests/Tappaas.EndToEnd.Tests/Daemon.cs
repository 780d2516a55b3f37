using System.Diagnostics;

namespace Tappaas.EndToEnd.Tests;

/// <summary>The real daemon (tappaasd.dll next to the tests) as a separate process.</summary>
internal static class Daemon
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, System.Collections.Concurrent.ConcurrentQueue<string>> s_output = new();

    /// <summary>What a daemon started here printed so far (standard output and error).</summary>
    public static IReadOnlyList<string> Output(Process daemon) => s_output.TryGetValue(daemon.Id, out var lines) ? [.. lines] : [];

    /// <summary>Starts tappaasd for <paramref name="site"/> on <paramref name="listen"/> and waits until it answers; returns it and the first admin token it printed (null when the site had one).</summary>
    public static async Task<(Process Daemon, string Token)> StartAsync(string site, string listen, CancellationToken ct, params string[] extra)
    {
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "tappaasd.dll"), "--site", site, "--listen", listen, .. extra])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        var daemon = Process.Start(psi)!;
        string? token = null;
        var output = s_output[daemon.Id] = new();
        daemon.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        daemon.OutputDataReceived += (_, e) =>
        {
            output.Enqueue(e.Data ?? "");
            if (e.Data?.Contains("tpk_", StringComparison.Ordinal) == true)
            {
                token = e.Data[e.Data.IndexOf("tpk_", StringComparison.Ordinal)..].Trim();
            }
        };
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 150; i++)
        {
            try
            {
                if ((await probe.GetAsync(listen + "/api/v1/health", ct)).IsSuccessStatusCode)
                {
                    return (daemon, token!);
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, ct);
        }

        throw new TimeoutException("the daemon did not answer /api/v1/health within 15 s");
    }
}
