using Tappaas.TestUtilities;
using Tappaas.Platform.Proxmox.Guests;

namespace Tappaas.Platform.Proxmox.Tests.Providers;

public sealed class GuestSpecTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [VendorApiFact]
    public async Task Trunks_ALL_are_every_active_tagged_zone_and_static_ip_gets_the_zone_gateway_and_keys()
    {
        using var h = new ProxmoxHarness();
        File.WriteAllText(Path.Combine(h.Layout.ConfigDir, "sshkeys.pub"), "ssh-ed25519 AAAA tappaas@cicd\n");
        var module = ProxmoxHarness.Module("""
            {"vmid": 110, "node": "pve1", "zone0": "mgmt", "trunks0": "ALL", "ip": "10.0.0.1", "bridge1": "wan", "zone1": "dmz",
             "dependsOn": ["cluster:vm"], "config": {"cluster:vm": {"image": "8080"}}}
            """, "firewall");
        var result = await h.Vm.InstallAsync(h.Request(module), Ct);
        Assert.True(result.Succeeded, result.Message);
        var config = h.Sim.Guests[110].Config;
        Assert.Equal("virtio=BC:24:11:00:00:01,bridge=lan,trunks=210;220;310;320;410;510;610", config["net0"]);
        Assert.Equal("virtio,bridge=wan,tag=610", config["net1"]);
        Assert.Equal("ip=10.0.0.1/24,gw=10.0.0.1", config["ipconfig0"]);
        Assert.Equal("ssh-ed25519%20AAAA%20tappaas%40cicd", h.Sim.Calls.First(c => c.Parameters.ContainsKey("sshkeys")).Parameters["sshkeys"]);
        Assert.Empty(h.Sim.Rejected);
    }

    [Theory]
    [InlineData("32G", 32)]
    [InlineData("512M", 0.5)]
    [InlineData("1T", 1024)]
    [InlineData("", 0)]
    public void Sizes_in_gib(string size, double gib) => Assert.Equal(gib, GuestSpec.Gib(size), 3);
}
