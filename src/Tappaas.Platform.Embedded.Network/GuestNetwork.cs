using Tappaas.Platform.Embedded.Host;
using Tappaas.IO;

namespace Tappaas.Platform.Embedded.Network;

/// <summary>
/// Per-zone Linux bridges (named by <see cref="HostNames"/>) holding the zone's gateway <c>.1</c>) and, per guest, a network namespace
/// with a veth whose host end sits on the bridge and whose guest end is <c>eth0</c> with the guest's address and a default
/// route via the gateway. Names are derived from the zone and guest, so every step can look before it creates.
/// </summary>
internal sealed class GuestNetwork(HostNames names)
{
    public string Namespace(string guest) => names.Namespace(guest);

    // Guests of independent modules start in parallel: one look-then-create of the zone's bridge at a time, or two
    // starts both find it missing and the second one's "link add" fails.
    private static readonly SemaphoreSlim s_bridges = new(1, 1);

    public async Task EnsureBridgeAsync(string zone, string gateway, CancellationToken cancellationToken)
    {
        await s_bridges.WaitAsync(cancellationToken);
        try
        {
            await EnsureBridgeNowAsync(names.Bridge(zone), gateway, cancellationToken);
        }
        finally
        {
            s_bridges.Release();
        }
    }

    private static async Task EnsureBridgeNowAsync(string bridge, string gateway, CancellationToken cancellationToken)
    {
        // Routing between zone bridges (and out of internet zones) needs forwarding; the site firewall decides what passes.
        await File.WriteAllTextAsync("/proc/sys/net/ipv4/ip_forward", "1", cancellationToken);
        // One look says whether the bridge exists, has the gateway and is up (as every guest's start asks it).
        var (missing, addresses) = await Sh.RunAsync("ip", ["-4", "addr", "show", "dev", bridge], cancellationToken);
        var steps = new List<string>();
        if (missing != 0)
        {
            steps.Add($"link add {bridge} type bridge");
        }

        if (!addresses.Contains($"inet {gateway}/24", StringComparison.Ordinal))
        {
            steps.Add($"addr add {gateway}/24 dev {bridge}");
        }

        if (missing != 0 || !addresses.Split('\n')[0].Contains(",UP", StringComparison.Ordinal))
        {
            steps.Add($"link set {bridge} up");
        }

        await BatchAsync(null, steps, cancellationToken);
    }

    public async Task CreateAsync(string guest, string zone, string address, string gateway, string hostname, CancellationToken cancellationToken)
    {
        var ns = Namespace(guest);
        // ip netns exec binds /etc/netns/<ns>/* over /etc: the guest's resolver is its zone gateway (where the platform's
        // DNS answers) with short timeouts, and its own name resolves locally.
        var (host, peer) = names.Veth(guest);
        if (File.Exists(Path.Combine("/run/netns", ns)) || Directory.Exists(Path.Combine("/sys/class/net", host)))
        {
            // A leftover of a crash (its /etc/netns files too), or the host side of a namespace the kernel is still
            // tearing down: the names are this guest's, so start clean.
            await DeleteAsync(guest, cancellationToken);
        }

        var etc = Path.Combine("/etc/netns", ns);
        foreach (var leftover in AtomicFile.Leftovers(etc))
        {
            File.Delete(leftover); // every file here is bound over the guest's /etc, a crash's temporary file too
        }

        await AtomicFile.WriteAsync(Path.Combine(etc, "resolv.conf"), $"nameserver {gateway}\nsearch {zone}.internal\noptions timeout:1 attempts:1\n", cancellationToken);
        await AtomicFile.WriteAsync(Path.Combine(etc, "hosts"), $"127.0.0.1 localhost\n{address} {hostname}.{zone}.internal {hostname}\n", cancellationToken);

        // Two runs of ip, each a batch that stops at its first failing step: the host's side, then the guest's.
        await BatchAsync(null,
        [
            $"netns add {ns}",
            $"link add {host} type veth peer name {peer}",
            $"link set {host} master {names.Bridge(zone)}",
            $"link set {host} up",
            $"link set {peer} netns {ns}",
        ], cancellationToken);
        await BatchAsync(ns,
        [
            $"link set {peer} name eth0",
            // The MAC follows the address: a guest that takes over a released address (rolling updates do, within
            // seconds) is found by every neighbour whose ARP cache still holds the old entry.
            $"link set eth0 address {MacOf(address)}",
            $"addr add {address}/24 dev eth0",
            "link set eth0 up",
            "link set lo up",
            $"route add default via {gateway}",
        ], cancellationToken);
    }

    /// <summary>Runs <c>ip</c> once for all <paramref name="steps"/> (in <paramref name="ns"/>, or the host's namespace); the first failing step fails it.</summary>
    private static async Task BatchAsync(string? ns, IReadOnlyList<string> steps, CancellationToken cancellationToken)
    {
        if (steps.Count == 0)
        {
            return;
        }

        var (code, output) = await Sh.RunAsync("ip", ns is null ? ["-batch", "-"] : ["-n", ns, "-batch", "-"], cancellationToken, string.Join('\n', steps) + "\n");
        if (code != 0)
        {
            throw new InvalidOperationException($"ip{(ns is null ? "" : " -n " + ns)}: {output} (steps: {string.Join("; ", steps)})");
        }
    }

    /// <summary>A locally administered MAC address made from an IPv4 address: 02:54 and its four bytes.</summary>
    public static string MacOf(string address) =>
        "02:54:" + string.Join(':', System.Net.IPAddress.Parse(address).GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    public async Task DeleteAsync(string guest, CancellationToken cancellationToken)
    {
        await Sh.RunAsync("ip", ["netns", "del", Namespace(guest)], cancellationToken);
        await Sh.RunAsync("ip", ["link", "del", names.Veth(guest).Host], cancellationToken);
        var etc = Path.Combine("/etc/netns", Namespace(guest));
        if (Directory.Exists(etc))
        {
            Directory.Delete(etc, recursive: true);
        }
    }

    /// <summary>Deletes every zone bridge of this site (the names <see cref="HostNames.BridgePattern"/> matches).</summary>
    public async Task RemoveBridgesAsync(CancellationToken cancellationToken)
    {
        var prefix = names.BridgePattern.TrimEnd('*');
        var (_, links) = await Sh.RunAsync("ip", ["-o", "link", "show", "type", "bridge"], cancellationToken);
        foreach (var line in links.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "12: tpz-srvHome: <BROADCAST,...> ..."
            var parts = line.Split(':', 3);
            var bridge = parts.Length > 1 ? parts[1].Trim() : "";
            if (bridge.StartsWith(prefix, StringComparison.Ordinal))
            {
                await Sh.RunAsync("ip", ["link", "del", bridge], cancellationToken);
            }
        }
    }
}
