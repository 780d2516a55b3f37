using Tappaas.TestUtilities;

namespace Tappaas.Platform.Embedded.Tests;

/// <summary>
/// A stand-in for the internet: a network namespace behind a veth from the host (<c>prefix.1</c> on the host,
/// <c>prefix.2</c> inside) running a TCP server on port 8000 that records the address of every client.
/// </summary>
internal sealed class Outside : IAsyncDisposable
{
    private readonly string _ns;
    private readonly string _log;

    private Outside(string ns, string prefix, string log)
    {
        _ns = ns;
        _log = log;
        Address = prefix + ".2";
        HostAddress = prefix + ".1";
    }

    public string Address { get; }

    public string HostAddress { get; }

    public static async Task<Outside> StartAsync(string prefix, CancellationToken ct)
    {
        var ns = "tpt-outside";
        var log = Path.Combine("/var/tmp", $"tpt-outside-{Guid.NewGuid():N}.log");
        var o = new Outside(ns, prefix, log);
        await o.DisposeAsync();
        foreach (var args in new[]
        {
            new[] { "netns", "add", ns },
            ["link", "add", "tpt-out-h", "type", "veth", "peer", "name", "tpt-out-g"],
            ["link", "set", "tpt-out-g", "netns", ns],
            ["addr", "add", prefix + ".1/24", "dev", "tpt-out-h"],
            ["link", "set", "tpt-out-h", "up"],
            ["-n", ns, "addr", "add", prefix + ".2/24", "dev", "tpt-out-g"],
            ["-n", ns, "link", "set", "tpt-out-g", "up"],
            ["-n", ns, "link", "set", "lo", "up"],
        })
        {
            var (code, output) = await ProcessRunner.RunAsync("ip", args);
            Assert.True(code == 0, $"ip {string.Join(' ', args)}: {output}");
        }

        var server = "import socket\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', 8000)); s.listen()\n" +
                     "while True:\n c,a=s.accept(); open('" + log + "','a').write(a[0]+'\\n'); c.close()";
        _ = ProcessRunner.RunAsync("ip", ["netns", "exec", ns, "/usr/bin/python3", "-c", server], timeout: TimeSpan.FromMinutes(10));
        for (var i = 0; i < 50 && (await ProcessRunner.RunAsync("ip", ["netns", "exec", ns, "/usr/bin/python3", "-c", "import socket; socket.create_connection(('127.0.0.1', 8000), 0.2)"])).Code != 0; i++)
        {
            await Task.Delay(100, ct);
        }

        File.WriteAllText(log, "");
        return o;
    }

    public Task<string[]> PeersAsync() => Task.FromResult(File.Exists(_log) ? File.ReadAllLines(_log) : []);

    public async ValueTask DisposeAsync()
    {
        await ProcessRunner.RunAsync("ip", ["netns", "pids", _ns]).ContinueWith(async t =>
        {
            foreach (var pid in (await t).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await ProcessRunner.RunAsync("kill", ["-9", pid.Trim()]);
            }
        }, TaskScheduler.Default).Unwrap();
        await ProcessRunner.RunAsync("ip", ["netns", "del", _ns]);
        await ProcessRunner.RunAsync("ip", ["link", "del", "tpt-out-h"]);
        File.Delete(_log);
    }
}
