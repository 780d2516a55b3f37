namespace Tappaas.Platform.Embedded.Tests;

/// <summary>
/// The site firewall and DNS with real traffic between guests in different zones: the zone baseline, a pinhole opening
/// exactly its port, masquerade only for internet zones, rules that disappear with their module, and names served on
/// the zone gateways.
/// </summary>
[Collection(nameof(GuestCollection))]
public sealed class FirewallTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string PinholeFromZc = ", \"ports\": [{\"port\": 8080, \"description\": \"web\"}, {\"port\": 9090, \"description\": \"admin\"}]" +
        ", \"ingress\": [{\"from\": \"zc\", \"ports\": [9090], \"description\": \"zc reaches the admin port only\"}]";

    [Fact]
    public async Task Zones_pinholes_and_removal_decide_which_guests_connect()
    {
        if (EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new NetworkHarness("fw", 91);
        Assert.Null(await h.InstallAsync(NetworkHarness.Module("wa", "za"), Ct));
        var wb = NetworkHarness.Module("wb", "zb", PinholeFromZc);
        Assert.Null(await h.InstallAsync(wb, Ct));
        Assert.Null(await h.InstallAsync(NetworkHarness.Module("wc", "zc"), Ct));
        var (a, b) = (h.Address("wa"), h.Address("wb"));

        Assert.Equal("ok", await h.ConnectAsync("wa-0", b, 8080));       // za lists zb in access-to
        Assert.Equal("timeout", await h.ConnectAsync("wb-0", a, 8080));  // zb reaches nothing
        Assert.Equal("timeout", await h.ConnectAsync("wc-0", a, 8080));  // nor does zc
        Assert.Equal("ok", await h.ConnectAsync("wc-0", b, 9090));       // the pinhole: exactly its port
        Assert.Equal("timeout", await h.ConnectAsync("wc-0", b, 8080));

        var live = await h.Platform.Network.LiveRulesetAsync(Ct);
        Assert.Contains("tappaas-module:wb:ingress:zc:9090", live, StringComparison.Ordinal);
        Assert.True((await h.Platform.Rules.TestAsync(h.Request(wb, "firewall:rules"), Ct)).Succeeded);

        // Removing the module's rules removes the pinhole from the kernel, not just from a file.
        Assert.True((await h.Platform.Rules.DeleteAsync(h.Request(wb, "firewall:rules"), Ct)).Succeeded);
        File.Delete(h.Layout.ModuleFile("wb"));
        Assert.DoesNotContain("tappaas-module:wb:", await h.Platform.Network.LiveRulesetAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("timeout", await h.ConnectAsync("wc-0", b, 9090));
        Assert.Equal("ok", await h.ConnectAsync("wa-0", b, 8080)); // the zone baseline is untouched
    }

    [Fact]
    public async Task Independent_modules_installed_at_once_share_their_new_zone()
    {
        if (EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        // A site's install runs independent modules in parallel: their first guests find the zone's bridge missing
        // together, and each gets an address of its own.
        await using var h = new NetworkHarness("pa", 95);
        var names = new[] { "pa", "pb", "pc", "pd" };
        var failures = await Task.WhenAll(names.Select(n => h.InstallAsync(NetworkHarness.Module(n, "za", deps: "\"cluster:vm\""), Ct)));
        Assert.All(failures, Assert.Null);
        var addresses = names.Select(h.Address).ToList();
        Assert.Equal(names.Length, addresses.Distinct().Count());
        Assert.Equal("ok", await h.ConnectAsync("pa-0", addresses[3], 8080));
        Assert.Equal("ok", await h.ConnectAsync("pd-0", addresses[0], 8080));
    }

    [Fact]
    public async Task Guests_resolve_each_other_and_proxy_domains_through_their_gateway()
    {
        if (EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new NetworkHarness("dn", 92);
        Assert.Null(await h.InstallAsync(NetworkHarness.Module("na", "za", ", \"proxyDomain\": \"shop.example.org\"", "\"cluster:vm\", \"firewall:dns\", \"firewall:proxy\""), Ct));
        Assert.Null(await h.InstallAsync(NetworkHarness.Module("nc", "zc", "", "\"cluster:vm\", \"firewall:dns\""), Ct));

        Assert.Equal(h.Address("na"), await h.ResolveAsync("nc-0", "na.za.internal"));
        Assert.Equal(h.Address("nc"), await h.ResolveAsync("na-0", "nc.zc.internal"));
        Assert.Equal(h.Address("na"), await h.ResolveAsync("nc-0", "na-0.za.internal"));
        Assert.Equal("", await h.ResolveAsync("nc-0", "nobody.za.internal"));
        // The proxy domain answers with the asking guest's own gateway.
        Assert.Equal("10.92.3.1", await h.ResolveAsync("nc-0", "shop.example.org"));
        Assert.Equal("10.92.1.1", await h.ResolveAsync("na-0", "shop.example.org"));

        var nc = NetworkHarness.Module("nc", "zc", "", "\"cluster:vm\", \"firewall:dns\"");
        await h.DeleteAsync(nc, Ct);
        Assert.Equal("", await h.ResolveAsync("na-0", "nc.zc.internal"));
    }

    [Fact]
    public async Task Internet_traffic_is_masqueraded_only_from_zones_that_allow_it()
    {
        if (EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new NetworkHarness("in", 93);
        await using var outside = await Outside.StartAsync("198.51.100", Ct);
        Assert.Null(await h.InstallAsync(NetworkHarness.Module("ia", "za"), Ct));
        Assert.Null(await h.InstallAsync(NetworkHarness.Module("ic", "zc"), Ct));

        Assert.Equal("ok", await h.ConnectAsync("ia-0", outside.Address, 8000));
        Assert.Equal("timeout", await h.ConnectAsync("ic-0", outside.Address, 8000));
        // The outside host saw the host's address, not the guest's private one.
        var seen = await outside.PeersAsync();
        Assert.Contains(outside.HostAddress, seen);
        Assert.DoesNotContain(h.Address("ia"), seen);
    }

    [Fact]
    public async Task An_ingress_from_a_zone_that_allows_no_pinholes_fails_with_its_path_and_opens_nothing()
    {
        if (EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new NetworkHarness("er", 94);
        var bad = NetworkHarness.Module("ea", "za", ", \"ports\": [{\"port\": 8080, \"description\": \"web\"}], \"ingress\": [{\"from\": \"zc\", \"ports\": [8080], \"description\": \"not allowed\"}]");
        var failure = await h.InstallAsync(bad, Ct);
        Assert.NotNull(failure);
        Assert.Contains("firewall:rules", failure, StringComparison.Ordinal);
        Assert.Contains("$.ingress[0].from", failure, StringComparison.Ordinal);
        Assert.Contains("pinhole-allowed-from", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("tappaas-module:ea", await h.Platform.Network.LiveRulesetAsync(Ct), StringComparison.Ordinal);
    }
}
