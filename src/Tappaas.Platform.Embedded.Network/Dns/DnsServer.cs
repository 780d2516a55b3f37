using System.Net;
using Tappaas.Platform.Embedded.Host;
using Tappaas.IO;

namespace Tappaas.Platform.Embedded.Network.Dns;

/// <summary>
/// The site's DNS server on the zone gateways: dnsmasq (Debian's), bound to the site's zone bridges as they come and go,
/// serving the site's records from a hosts file and forwarding other names to the host's resolvers. It runs detached, so
/// guests keep resolving while no CLI or daemon runs; a changed record set is a SIGHUP. Its files live under
/// <c>/run/tappaas/&lt;table&gt;</c>, readable by the unprivileged user dnsmasq drops to.
/// </summary>
public sealed class DnsServer(HostNames names)
{
    public string RuntimeDir => Path.Combine("/run/tappaas", names.Table);

    public string HostsPath => Path.Combine(RuntimeDir, "hosts");

    private string PidPath => Path.Combine(RuntimeDir, "dnsmasq.pid");

    private string ConfigPath => Path.Combine(RuntimeDir, "dnsmasq.conf");

    /// <summary>The dnsmasq binary, or null when the package is not installed.</summary>
    public static string? Binary => new[] { "/usr/sbin/dnsmasq", "/usr/bin/dnsmasq" }.FirstOrDefault(File.Exists);

    /// <summary>Writes the records and makes the server serve them: started when it is not running, reloaded when it is.</summary>
    public async Task ApplyAsync(string hostsFile, CancellationToken cancellationToken)
    {
        var binary = Binary ?? throw new InvalidOperationException("dnsmasq is not installed; install Debian's dnsmasq-base package (apt-get install dnsmasq-base)");
        Directory.CreateDirectory(RuntimeDir);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(RuntimeDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        await AtomicFile.WriteAsync(HostsPath, hostsFile, cancellationToken);
        if (RunningPid() is { } pid)
        {
            Native.Kill(pid, Native.SigHup); // SIGHUP: re-read the hosts file
            return;
        }

        await AtomicFile.WriteAsync(ConfigPath, Config(), cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var (code, output) = await Sh.RunAsync(binary, [$"--conf-file={ConfigPath}"], cancellationToken); // forks into the background once bound
            if (code == 0)
            {
                return;
            }

            // dnsmasq lists the host's interfaces as it starts, and an interface removed meanwhile (another site's
            // guest, a container, a VPN) fails that list with "No such device": the next try finds the host as it is.
            if (attempt < 5 && output.Contains("failed to find list of interfaces", StringComparison.Ordinal))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
                continue;
            }

            throw new InvalidOperationException($"{binary} --conf-file={ConfigPath} failed ({code}): {output}");
        }
    }

    /// <summary>Stops the server (when the last guest of the site is gone).</summary>
    public void Stop()
    {
        if (RunningPid() is { } pid)
        {
            Native.Kill(pid, Native.SigTerm);
        }
    }

    /// <summary>The pid of the running server, if any.</summary>
    public int? RunningPid()
    {
        if (!File.Exists(PidPath) || !int.TryParse(File.ReadAllText(PidPath).Trim(), out var pid))
        {
            return null;
        }

        var comm = $"/proc/{pid}/comm";
        return File.Exists(comm) && File.ReadAllText(comm).Trim() == "dnsmasq" ? pid : null;
    }

    /// <summary>Waits until the server answers on <paramref name="gateway"/>.</summary>
    public static async Task<bool> WaitAnsweringAsync(IPAddress gateway, string name, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < deadline)
        {
            if (await DnsLookup.QueryAsync(gateway, name, TimeSpan.FromMilliseconds(300), cancellationToken) is not null)
            {
                return true;
            }

            await Task.Delay(50, cancellationToken);
        }

        return false;
    }

    private string Config() => string.Join('\n',
        "port=53",
        $"interface={names.BridgePattern}",
        "except-interface=lo",
        "bind-dynamic",
        "no-hosts",
        $"addn-hosts={HostsPath}",
        "localise-queries",
        "local=/internal/",
        "domain-needed",
        "bogus-priv",
        "resolv-file=/etc/resolv.conf",
        "cache-size=1000",
        $"pid-file={PidPath}",
        "");
}
