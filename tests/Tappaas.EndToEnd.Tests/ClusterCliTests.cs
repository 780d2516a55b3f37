namespace Tappaas.EndToEnd.Tests;

/// <summary>The cluster commands and a site whose services are configured for Proxmox VE.</summary>
public sealed class ClusterCliTests
{
    [Fact]
    public async Task Nodes_on_a_single_host_site_lists_this_host()
    {
        using var fx = new SiteFixture();
        await fx.InitAsync();
        var (code, output) = await Cli.RunAsync(fx.Site, "nodes");
        Assert.Equal(0, code);
        Assert.Contains("online (this host)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proxmox_site_without_connection_details_says_what_to_set()
    {
        using var fx = new SiteFixture();
        var (init, initOut) = await Cli.RunAsync(fx.Site, "init", "--backend", "cluster:*=proxmox", "--repository", fx.Modules);
        Assert.True(init == 0, initOut);
        var env = new Dictionary<string, string> { ["TAPPAAS_PVE_URL"] = "", ["TAPPAAS_PVE_TOKEN"] = "" };
        var (code, output) = await Cli.RunAsync(fx.Site, env, "install", "cluster", "db");
        Assert.Equal(1, code);
        Assert.Contains("cluster:vm is configured for Proxmox VE, but no Proxmox VE address: set tappaas.proxmox.url", output, StringComparison.Ordinal);
        Assert.DoesNotContain("db", SiteFixture.Modules_(fx.Site).Keys);
        var nodes = await Cli.RunAsync(fx.Site, env, "nodes");
        Assert.Equal(1, nodes.Code);
        Assert.Contains("no Proxmox VE address", nodes.Output, StringComparison.Ordinal);
    }
}
