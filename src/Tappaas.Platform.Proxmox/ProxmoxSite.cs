using Tappaas.Model.Loading;
using Tappaas.Model.Site;
using Tappaas.Model.Zones;

namespace Tappaas.Platform.Proxmox;

/// <summary>What the Proxmox providers read from the site folder: the zone table (VLAN tags) and the nodes.</summary>
internal sealed record ProxmoxSite(ZoneSet? Zones, SiteConfiguration? Configuration, string? SshKeys = null)
{
    /// <summary>The zone's gateway: the first host of its subnet.</summary>
    public string Gateway(string zone)
    {
        var ip = Zones?.Find(zone)?.Ip ?? throw new ArgumentException($"zone \"{zone}\" is not in the site's zones.json");
        var octets = ip.Split('/')[0].Split('.');
        return $"{octets[0]}.{octets[1]}.{octets[2]}.1";
    }

    public static ProxmoxSite Load(string siteFolder)
    {
        var config = Path.Combine(siteFolder, "config");
        var (site, zones, _) = SiteFiles.Read(config);
        var keys = Path.Combine(config, "sshkeys.pub");
        return new ProxmoxSite(zones, site, File.Exists(keys) ? File.ReadAllText(keys).Trim() : null);
    }

    /// <summary>The VLAN tag of a zone (0 = untagged), or an error naming the zone.</summary>
    public int VlanTag(string zone)
    {
        var z = Zones?.Find(zone) ?? throw new ArgumentException($"zone \"{zone}\" is not in the site's zones.json");
        if (z.State is { } s && !s.IsDeployable())
        {
            throw new ArgumentException($"zone \"{zone}\" is {s}; activate it before placing guests in it");
        }

        return z.VlanTag ?? 0;
    }

    /// <summary>Trunk VLANs: ALL or * = every active tagged zone; NONE = none; else the named zones.</summary>
    public IReadOnlyList<int> Trunks(string? trunks) => trunks switch
    {
        null or "" or "NONE" => [],
        "ALL" or "*" => [.. (Zones?.Zones ?? []).Where(z => z.State?.IsActive() == true && z.VlanTag > 0).Select(z => z.VlanTag!.Value).Order()],
        _ => [.. trunks.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(VlanTag).Where(t => t > 0)],
    };
}
