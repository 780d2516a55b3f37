using Microsoft.Playwright;

namespace Tappaas.Daemon.Tests.Dashboard;

/// <summary>
/// The catalog (a module installed from the page: its plan first, then the run; a module file with errors shows its
/// diagnostics and offers no apply), the tokens page (an admin creates and revokes one; the page is not a viewer's),
/// zones with the compiled firewall, and nodes.
/// </summary>
public sealed class DashboardPagesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_module_is_installed_from_the_catalog_after_its_plan_and_one_with_errors_shows_them_and_cannot_be_applied()
    {
        await using var chromium = await Chromium.StartAsync();
        await using var h = await DaemonHarness.StartAsync(listenOn: chromium.HostAddress);
        h.Release("cluster", """{"description": "cluster", "version": "1.0", "provides": ["vm"]}""");
        h.Release("app", """{"description": "an app", "version": "2.1", "vmid": 300, "zone0": "srvHome", "dependsOn": ["cluster:vm"], "config": {"cluster:vm": {"image": "8080", "cores": 2}}}""");
        h.Release("bad", """{"description": "bad", "version": "1.0", "vmid": "many", "zone0": "srvHome", "dependsOn": ["cluster:vm"], "config": {"cluster:vm": {"image": "8080"}}}""");
        using var api = h.Api(h.AdminToken);
        Assert.True((await api.InstallAsync(["cluster"], false, Ct)).Ok);

        var page = await chromium.PageAsync(h.Address!);
        await DashboardSignInTests.SignInAsync(page, h.AdminToken);
        await page.GotoAsync("/catalog");
        await DashboardSignInTests.LiveAsync(page);
        await Assertions.Expect(page.Locator("tr[data-catalog=app]")).ToContainTextAsync("an app");
        await Assertions.Expect(page.Locator("tr[data-catalog=app]")).ToContainTextAsync("no");

        await page.SelectOptionAsync("#catalog-module", "bad");
        await page.GetByRole(AriaRole.Button, new() { Name = "Install: plan bad" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("plan-problem")).ToContainTextAsync("vmid");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Apply this plan" })).ToHaveCountAsync(0);

        await page.SelectOptionAsync("#catalog-module", "app");
        await page.GetByRole(AriaRole.Button, new() { Name = "Install: plan app" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("plan-changes")).ToContainTextAsync("create");
        Assert.Null((await api.ModulesAsync(Ct)).Value!.FirstOrDefault(m => m.Name == "app")); // a plan changes nothing
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply this plan" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("plan-result")).ToContainTextAsync("succeeded");
        await Assertions.Expect(page.Locator("tr[data-catalog=app]")).ToContainTextAsync("revision 1");
        Assert.Equal(1, (await api.ModuleAsync("app", Ct)).Value!.Revision);
        await Accessibility.CheckAsync(page);
    }

    [Fact]
    public async Task An_admin_creates_and_revokes_a_token_on_the_tokens_page_and_a_viewer_has_no_such_page()
    {
        await using var chromium = await Chromium.StartAsync();
        await using var h = await DaemonHarness.StartAsync(listenOn: chromium.HostAddress);
        var page = await chromium.PageAsync(h.Address!);
        await DashboardSignInTests.SignInAsync(page, h.AdminToken);
        await page.GotoAsync("/tokens");
        await DashboardSignInTests.LiveAsync(page);
        await page.FillAsync("#token-name", "family");
        await page.SelectOptionAsync("#token-role", "Viewer");
        await page.FillAsync("#token-expiry", "90d");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("token-secret")).ToContainTextAsync("tpk_");
        var secret = (await page.GetByTestId("token-secret").Locator("code").InnerTextAsync()).Trim();
        await Assertions.Expect(page.Locator("tr[data-token=family]")).ToContainTextAsync("viewer");
        await Accessibility.CheckAsync(page);

        // The new token signs a viewer in, who is shown no tokens page and is refused it.
        var look = await chromium.PageAsync(h.Address!);
        await DashboardSignInTests.SignInAsync(look, secret);
        await DashboardSignInTests.LiveAsync(look);
        await Assertions.Expect(look.GetByRole(AriaRole.Link, new() { Name = "Tokens" })).ToHaveCountAsync(0);
        await look.GotoAsync("/tokens");
        await look.WaitForURLAsync("**/denied**");
        await Assertions.Expect(look.Locator("h1")).ToHaveTextAsync("Not for your role");
        await Assertions.Expect(look.Locator("table[aria-label=Tokens]")).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke family" }).ClickAsync();
        await Assertions.Expect(page.Locator("tr[data-token=family]")).ToHaveCountAsync(0);
        Assert.DoesNotContain((await h.Api(h.AdminToken).TokensAsync(Ct)).Value!, t => t.Name == "family");
    }

    [Fact]
    public async Task The_zones_page_shows_the_zones_and_the_firewall_rules_with_why_and_nodes_shows_this_host()
    {
        await using var chromium = await Chromium.StartAsync();
        await using var h = await DaemonHarness.StartAsync(listenOn: chromium.HostAddress);
        var zones = (await h.Api(h.AdminToken).ZonesAsync(Ct)).Value!;
        var rules = (await h.Api(h.AdminToken).FirewallAsync(Ct)).Value!.Rules;
        Assert.NotEmpty(rules);
        var page = await chromium.PageAsync(h.Address!);
        await DashboardSignInTests.SignInAsync(page, h.AdminToken);
        await page.GotoAsync("/zones");
        await DashboardSignInTests.LiveAsync(page);
        await Assertions.Expect(page.Locator("tr[data-zone]")).ToHaveCountAsync(zones.Count);
        await Assertions.Expect(page.Locator("table[aria-label='Firewall rules'] tbody tr")).ToHaveCountAsync(rules.Count);
        await Assertions.Expect(page.Locator("table[aria-label='Firewall rules']")).ToContainTextAsync(rules[0].Why);
        await Accessibility.CheckAsync(page);

        await page.GotoAsync("/nodes");
        await DashboardSignInTests.LiveAsync(page);
        await Assertions.Expect(page.Locator("tr[data-node]")).ToHaveCountAsync((await h.Api(h.AdminToken).NodesAsync(Ct)).Value!.Count);
    }
}
