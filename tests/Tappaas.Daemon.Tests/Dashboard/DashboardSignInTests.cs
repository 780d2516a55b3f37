using System.Net;
using Microsoft.Playwright;

namespace Tappaas.Daemon.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser against the daemon on a real port: sign-in with an API token (a wrong one refused
/// without a session), the session cookie's flags, a viewer offered no operator's button, a revoked token's session
/// ended, and the API not opened by the cookie.
/// </summary>
public sealed class DashboardSignInTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_token_signs_in_a_wrong_one_does_not_and_the_session_is_an_HttpOnly_strict_cookie_that_does_not_open_the_API()
    {
        await using var chromium = await Chromium.StartAsync();
        await using var h = await DaemonHarness.StartAsync(listenOn: chromium.HostAddress);
        var page = await chromium.PageAsync(h.Address!);

        await page.GotoAsync("/");
        Assert.EndsWith("/signin?ReturnUrl=%2F", page.Url, StringComparison.Ordinal); // not signed in: sent to sign in

        await page.FillAsync("#token", "tpk_not-a-token");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/signin?failed=1**");
        Assert.Contains("does not open this site", await page.InnerTextAsync("[role=alert]"), StringComparison.Ordinal);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "tappaas-session");

        await page.FillAsync("#token", h.AdminToken);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(h.Address!.ToString());
        await Assertions.Expect(page.GetByTestId("who")).ToHaveTextAsync("admin (admin)");
        await Assertions.Expect(page.GetByTestId("modules")).ToHaveTextAsync("0");

        var session = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "tappaas-session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.True(session.Secure);

        // The cookie is the dashboard's: an API call carrying only it is unauthenticated.
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator })
        {
            BaseAddress = h.Address,
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/status");
        request.Headers.Add("Cookie", $"tappaas-session={session.Value}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(request, Ct)).StatusCode);
    }

    [Fact]
    public async Task A_sign_in_post_without_the_forms_antiforgery_token_is_refused()
    {
        await using var h = await DaemonHarness.StartAsync();
        using var client = h.Client();
        var answer = await client.PostAsync("/signin", new FormUrlEncodedContent([new("token", h.AdminToken)]), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.DoesNotContain(answer.Headers, header => header.Key == "Set-Cookie" && header.Value.Any(v => v.StartsWith("tappaas-session=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_revoked_tokens_session_ends_at_its_next_request()
    {
        await using var chromium = await Chromium.StartAsync();
        await using var h = await DaemonHarness.StartAsync(listenOn: chromium.HostAddress);
        using var api = h.Api(h.AdminToken);
        var viewer = (await api.CreateTokenAsync(new Client.TokenRequestV1("family", "viewer"), Ct)).Value!.Token;
        var page = await chromium.PageAsync(h.Address!);
        await SignInAsync(page, viewer);
        await Assertions.Expect(page.GetByTestId("who")).ToHaveTextAsync("family (viewer)");

        Assert.True((await api.RevokeTokenAsync("family", Ct)).Ok);
        await page.GotoAsync("/runs");
        await page.WaitForURLAsync("**/signin?ReturnUrl=%2Fruns");
    }

    [Fact]
    public async Task An_open_page_says_when_the_daemon_is_down_and_reconnects_after_it_restarted_with_its_session()
    {
        await using var chromium = await Chromium.StartAsync();
        await using var h = await DaemonHarness.StartAsync(listenOn: chromium.HostAddress);
        var page = await chromium.PageAsync(h.Address!);
        await SignInAsync(page, h.AdminToken);
        await LiveAsync(page);
        await page.EvaluateAsync("window.__before = true"); // gone once the page is loaded again
        await Assertions.Expect(page.Locator("#components-reconnect-modal")).ToBeHiddenAsync();

        // While the daemon is down the page says so (it keeps its content and retries).
        await h.RestartAsync(async () =>
        {
            var notice = page.Locator("#components-reconnect-modal");
            await Assertions.Expect(notice).ToBeVisibleAsync();
            await Assertions.Expect(notice).ToContainTextAsync("The daemon is not answering (it may be restarting): reconnecting");
            await Assertions.Expect(page.GetByTestId("who")).ToHaveTextAsync("admin (admin)");
            await Accessibility.CheckAsync(page);
        });

        // The old circuit is gone with the old process: the page loads itself again and is signed in still (the
        // session's keys are the site's), so it shows the overview, live, not the sign-in page.
        await page.WaitForFunctionAsync("window.__before === undefined");
        await LiveAsync(page);
        Assert.DoesNotContain("/signin", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByTestId("who")).ToHaveTextAsync("admin (admin)");
    }

    [Fact]
    public async Task A_change_made_with_a_viewers_session_is_refused_with_403_and_changes_nothing()
    {
        await using var h = await DaemonHarness.StartAsync();
        var before = (await h.Api(h.AdminToken).StatusAsync(Ct)).Value!.StateRevision;
        var viewer = Actions(h, Security.TokenRole.Viewer);
        var refused = await viewer.ScaleAsync("web", 3, Ct);
        Assert.Equal(403, refused.Problem?.Status);
        Assert.Contains("the role viewer may not change modules", refused.Problem!.Detail, StringComparison.Ordinal);
        Assert.Equal(403, (await viewer.RollbackAsync("web", 1, Ct)).Problem?.Status);
        Assert.False(await viewer.MayOperateAsync());
        Assert.Equal(403, (await viewer.CreateTokenAsync("mine", Security.TokenRole.Admin, null)).Problem?.Status);
        Assert.Equal(403, (await Actions(h, Security.TokenRole.Operator).RevokeTokenAsync("admin")).Problem?.Status);
        Assert.Equal(before, (await h.Api(h.AdminToken).StatusAsync(Ct)).Value!.StateRevision);

        // An operator's call goes through to the site (which has no such module).
        var operatorActions = Actions(h, Security.TokenRole.Operator);
        Assert.True(await operatorActions.MayOperateAsync());
        Assert.NotEqual(403, (await operatorActions.ScaleAsync("web", 3, Ct)).Problem?.Status);
    }

    private static Daemon.Dashboard.DashboardActions Actions(DaemonHarness h, Security.TokenRole role) => new(
        h.Service<Composition.SiteApi>(), h.Service<Microsoft.AspNetCore.Authorization.IAuthorizationService>(), new Session(role), h.Service<Proxy.ProxyProcess>(),
        h.Service<Security.TokenStore>(), TimeProvider.System);

    private sealed class Session(Security.TokenRole role) : Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider
    {
        public override Task<Microsoft.AspNetCore.Components.Authorization.AuthenticationState> GetAuthenticationStateAsync() =>
            Task.FromResult(new Microsoft.AspNetCore.Components.Authorization.AuthenticationState(new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
                [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, "someone"), new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Role, role.ToString())], "test"))));
    }

    /// <summary>Waits until the page's circuit is up (before it, the page is the server's rendering and a click is a plain navigation).</summary>
    internal static Task LiveAsync(IPage page) => Assertions.Expect(page.Locator(".shell[data-live=yes]")).ToHaveCountAsync(1);

    internal static async Task SignInAsync(IPage page, string token)
    {
        await page.GotoAsync("/signin");
        await page.FillAsync("#token", token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.EndsWith("/signin", StringComparison.Ordinal));
        Assert.False(page.Url.Contains("/signin", StringComparison.Ordinal), $"the sign-in was refused: {page.Url}");
    }
}
