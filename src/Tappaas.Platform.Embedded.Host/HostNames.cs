using System.Security.Cryptography;
using System.Text;

namespace Tappaas.Platform.Embedded.Host;

/// <summary>
/// Deterministic names of a site's host objects: zone bridges, guest namespaces and veths, cgroups, the nftables table.
/// With no instance tag (one site per host) bridges are <c>tpz-&lt;zone&gt;</c>; with a tag every name carries it, so two
/// sites on one host never touch each other's objects. Bridge prefixes end in a dash, so no prefix matches another's.
/// </summary>
public sealed record HostNames(string? Instance)
{
    /// <summary>The bridge of a zone (at most 15 characters, the kernel's limit).</summary>
    public string Bridge(string zone) => Instance is null
        ? (zone.Length <= 11 ? $"tpz-{zone}" : $"tpz-{Hash(zone)}")
        : $"tq{Instance}-{Hash(zone)}";

    /// <summary>An nftables interface-name wildcard matching every zone bridge of this site.</summary>
    public string BridgePattern => Instance is null ? "tpz-*" : $"tq{Instance}-*";

    /// <summary>The network namespace of a guest.</summary>
    public string Namespace(string guest) => Instance is null ? $"tp-{guest}" : $"tq{Instance}-{guest}";

    /// <summary>The host and guest ends of a guest's veth pair.</summary>
    public (string Host, string Guest) Veth(string guest)
    {
        var h = Hash((Instance ?? "") + "/" + guest);
        return ($"tv{h}h", $"tv{h}g");
    }

    /// <summary>The cgroup of a guest.</summary>
    public string Cgroup(string guest) => Instance is null ? guest : $"{Instance}-{guest}";

    /// <summary>The nftables table (family inet) holding the site's firewall.</summary>
    public string Table => Instance is null ? "tappaas" : $"tappaas_{Instance}";

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..8].ToLowerInvariant();
}
