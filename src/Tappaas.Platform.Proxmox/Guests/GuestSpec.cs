using System.Globalization;
using Tappaas.Model.Modules;

namespace Tappaas.Platform.Proxmox.Guests;

/// <summary>The desired guest for a module, resolved against the site (node, VLAN tags): what Proxmox should hold.</summary>
internal sealed record GuestSpec
{
    public required int VmId { get; init; }

    public required string Name { get; init; }

    public required string Node { get; init; }

    public required Dictionary<string, string> Config { get; init; }

    public string ImageType { get; init; } = "clone";

    public string Image { get; init; } = "";

    public string? ImageLocation { get; init; }

    public string Storage { get; init; } = "tanka1";

    public string? DiskSize { get; init; }

    public bool Start { get; init; } = true;

    public bool WaitForAgent { get; init; }

    /// <summary>Builds the spec of a VM (<paramref name="lxc"/> false) or container from a module.</summary>
    public static GuestSpec For(ModuleDefinition m, ProxmoxSite site, bool lxc)
    {
        var vmid = (int)(m.VmId ?? throw new ArgumentException($"module \"{m.Name}\" has no vmid"));
        var node = m.Node ?? site.Configuration?.DefaultNode ?? throw new ArgumentException($"module \"{m.Name}\" has no node and the site lists no nodes");
        var config = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["cores"] = Text(m.Integer("cores") ?? 2),
            ["memory"] = Text(m.Integer("memory") ?? 4096),
        };
        var tags = (m.Text("vmtag") ?? "TAPPaaS").Replace(',', ';');
        config["tags"] = tags;
        config["net0"] = Net(lxc ? "name=eth0" : "virtio", m.Text("bridge0") ?? "lan", m.Text("mac0"), site.VlanTag(m.Zone0), site.Trunks(m.Text("trunks0")), lxc);
        if (m.Text("bridge1") is { } bridge1 && bridge1 != "NONE")
        {
            config["net1"] = Net(lxc ? "name=eth1" : "virtio", bridge1, m.Text("mac1"), site.VlanTag(m.Zone1 ?? "mgmt"), site.Trunks(m.Text("trunks1")), lxc);
        }

        if (lxc)
        {
            config["hostname"] = m.VmName;
            config["description"] = m.Text("description") ?? "";
        }
        else
        {
            config["name"] = m.VmName;
            config["description"] = m.Text("description") ?? "";
            config["cpu"] = m.Text("cputype") ?? "host";
            config["bios"] = m.Text("bios") ?? "ovmf";
            config["ostype"] = m.Text("ostype") ?? "l26";
            config["agent"] = "1";
            if (m.Text("cloudInit") != "false")
            {
                config["ciuser"] = "tappaas";
                config["ipconfig0"] = m.Text("ip") is { } ip ? $"ip={ip}/24,gw={site.Gateway(m.Zone0)}" : "ip=dhcp";
                if (site.SshKeys is { Length: > 0 } keys)
                {
                    // format "urlencoded": the whole key list, spaces as %20 (not '+').
                    config["sshkeys"] = Uri.EscapeDataString(keys);
                }
            }
        }

        return new GuestSpec
        {
            VmId = vmid,
            Name = m.VmName,
            Node = node,
            Config = config,
            ImageType = m.Text("imageType") ?? "clone",
            Image = m.Text("image") ?? "",
            ImageLocation = m.Text("imageLocation"),
            Storage = m.Text("storage") ?? "tanka1",
            DiskSize = m.Text("diskSize"),
            WaitForAgent = !lxc && m.Text("cloudInit") != "false",
        };
    }

    /// <summary>A NIC property string: <c>virtio,bridge=lan,macaddr=…,tag=210,trunks=310;410</c>.</summary>
    public static string Net(string model, string bridge, string? mac, int tag, IReadOnlyList<int> trunks, bool lxc)
    {
        var parts = new List<string> { model, $"bridge={bridge}" };
        if (mac is not null)
        {
            parts.Add(lxc ? $"hwaddr={mac}" : $"macaddr={mac}");
        }

        if (tag > 0)
        {
            parts.Add($"tag={tag}");
        }

        if (trunks.Count > 0)
        {
            parts.Add("trunks=" + string.Join(';', trunks));
        }

        if (lxc)
        {
            parts.Add("ip=dhcp");
        }

        return string.Join(',', parts);
    }

    /// <summary>Size text like 32G in gibibytes (K, M, G, T); 0 when unknown.</summary>
    public static double Gib(string? size) => Tappaas.Model.Modules.DiskSize.Gib(size);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
