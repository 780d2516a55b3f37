using System.Diagnostics;
using Microsoft.Playwright;
using Tappaas.TestUtilities;

namespace Tappaas.Daemon.Tests.Dashboard;

/// <summary>
/// Debian's Chromium driven by Playwright (it cannot download a browser of its own), headless, in a network namespace
/// of its own joined to the host by a veth pair: the tests beside it create and remove bridges and veths all the time,
/// and a Chromium that sees the host's interfaces change aborts its navigations (ERR_NETWORK_CHANGED). The daemon
/// under test listens on <see cref="HostAddress"/>, the host's end of the pair.
/// </summary>
internal sealed class Chromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private static int s_next;

    private readonly TempDir _dir = new();
    private string _netns = "";
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The address the browser reaches the host at (where the daemon under test listens).</summary>
    public string HostAddress { get; private set; } = "";

    public static async Task<Chromium> StartAsync()
    {
        if (!File.Exists(Executable))
        {
            Assert.Skip(Prerequisites.Missing($"{Executable} (apt-get install -y chromium)"));
        }

        if (!Prerequisites.IsRoot)
        {
            Assert.Skip(Prerequisites.Missing("root (the browser runs in a network namespace of its own)"));
        }

        var n = Interlocked.Increment(ref s_next);
        var tag = $"tpw{Environment.ProcessId % 10000}x{n}";
        var subnet = $"172.30.{(Environment.ProcessId * 7 + n) % 250}";
        var c = new Chromium { _netns = tag, HostAddress = subnet + ".1" };
        try
        {
            await c.LaunchAsync(subnet);
            return c;
        }
        catch
        {
            await c.DisposeAsync();
            throw;
        }
    }

    private async Task LaunchAsync(string subnet)
    {
        var tag = _netns;
        await Ip($"netns add {tag}");
        await Ip($"link add {tag}h type veth peer name {tag}b");
        await Ip($"link set {tag}b netns {tag}");
        // No IPv6 in the browser's namespace: a link-local address that turns from tentative to valid a moment after
        // the link is up is a network change to Chromium as well.
        await Ip($"netns exec {tag} sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.lo.disable_ipv6=1 net.ipv6.conf.{tag}b.disable_ipv6=1");
        await Ip($"addr add {subnet}.1/30 dev {tag}h");
        await Ip($"link set {tag}h up");
        await Ip($"-n {tag} addr add {subnet}.2/30 dev {tag}b");
        await Ip($"-n {tag} link set {tag}b up");
        await Ip($"-n {tag} link set lo up");

        var launcher = Path.Combine(_dir.Path, "chromium");
        File.WriteAllText(launcher, $"#!/bin/sh\nexec ip netns exec {tag} {Executable} \"$@\"\n");
        File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = launcher, Headless = true });
    }

    /// <summary>A fresh browser profile (no cookies) that accepts the site CA's certificate for the daemon.</summary>
    public async Task<IPage> PageAsync(Uri site, int width = 1280, int height = 800)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = site.ToString(),
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_browser is not null)
            {
                await _browser.DisposeAsync();
            }

            _playwright?.Dispose();
        }
        finally
        {
            if (File.Exists($"/run/netns/{_netns}"))
            {
                await Ip($"netns delete {_netns}"); // takes its end of the pair, and so the host's, with it
            }

            _dir.Dispose();
        }
    }

    private static async Task Ip(string arguments)
    {
        using var ip = Process.Start(new ProcessStartInfo("ip", arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = await ip.StandardError.ReadToEndAsync();
        await ip.WaitForExitAsync();
        if (ip.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {arguments}: {error.Trim()}");
        }
    }
}
