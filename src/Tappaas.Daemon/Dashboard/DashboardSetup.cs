using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.FluentUI.AspNetCore.Components;
using Tappaas.Daemon.Security;

namespace Tappaas.Daemon.Dashboard;

/// <summary>
/// The web dashboard on the API's origin: Blazor components rendered by the daemon (interactive over its circuit),
/// signed in with an API token that becomes a session cookie (HttpOnly, SameSite=Strict, encrypted with keys kept in
/// the site so sessions survive a restart). The API itself answers bearer tokens only: a cookie never authorises an
/// <c>/api</c> call, so a page of another site cannot make one with the user's session.
/// </summary>
internal static class DashboardSetup
{
    /// <summary>The scheme every request is authenticated with: bearer for the API and metrics, the cookie elsewhere.</summary>
    public const string SiteScheme = "Site";

    public const string CookieScheme = "Dashboard";

    private const string TokenClaim = "tappaas:token";

    public static void Add(WebApplicationBuilder builder, string siteRoot)
    {
        // A build (not a publish) serves the assets from where the build left them, as its runtime manifest says.
        if (File.Exists(Path.Combine(AppContext.BaseDirectory, "tappaasd.staticwebassets.runtime.json")))
        {
            builder.WebHost.UseStaticWebAssets();
        }

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();
        builder.Services.AddCascadingAuthenticationState();
        // The session cookies' keys, in the site's owner-only secrets folder as its other secrets are (not encrypted at
        // rest there, which data protection warns of once per key: that warning is left out of the log).
        var keys = Directory.CreateDirectory(Path.Combine(siteRoot, "secrets", "dashboard-keys"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        builder.Services.AddDataProtection().SetApplicationName("tappaasd").PersistKeysToFileSystem(keys);
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error);
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "tappaas-csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, SessionRevalidation>();
        builder.Services.AddSingleton<DashboardFeed>();
        builder.Services.AddSingleton<History.UsageHistory>();
        builder.Services.AddSingleton<History.UsageSampler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<History.UsageSampler>());
        builder.Services.AddScoped<DashboardActions>();
    }

    /// <summary>The schemes: the site's (which picks one per request), bearer and the dashboard's cookie.</summary>
    public static AuthenticationBuilder AddSchemes(AuthenticationBuilder authentication) => authentication
        .AddPolicyScheme(SiteScheme, "bearer for the API, the session cookie for the dashboard", o => o.ForwardDefaultSelector = context => IsApi(context) ? BearerAuthentication.SchemeName : CookieScheme)
        .AddCookie(CookieScheme, o =>
        {
            o.Cookie.Name = "tappaas-session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/signin";
            o.LogoutPath = "/signout";
            o.AccessDeniedPath = "/denied";
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = ValidateAsync;
        });

    public static void Map(WebApplication app)
    {
        app.UseAntiforgery();
        // The dashboard's files (its styles, the Blazor and Fluent UI scripts), as the build or the package laid them out.
        var assets = Path.Combine(AppContext.BaseDirectory, "tappaasd.staticwebassets.endpoints.json");
        if (File.Exists(assets))
        {
            app.MapStaticAssets(assets);
        }
        else
        {
            app.Logger.LogError("the dashboard's files are missing ({Manifest} is not there): its pages will not work; the API serves as usual. Reinstall the package, or rebuild", assets);
        }

        app.MapPost("/signin", SignInAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/signout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieScheme);
            return Results.LocalRedirect("/signin");
        }).AllowAnonymous().ExcludeFromDescription();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }

    /// <summary>The token a session was opened with, while it is still valid; null once it was revoked, replaced or expired.</summary>
    internal static TokenEntry? Current(ClaimsPrincipal session, TokenStore tokens, TimeProvider time)
    {
        var hash = session.FindFirstValue(TokenClaim);
        var name = session.FindFirstValue(ClaimTypes.Name);
        return hash is null ? null : tokens.List().FirstOrDefault(t => t.Sha256 == hash && t.Name == name && !t.ExpiredAt(time.GetUtcNow()));
    }

    private static bool IsApi(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/metrics") || context.Request.Headers.Authorization.Count > 0;

    private static async Task<IResult> SignInAsync(HttpContext context, [FromForm] string token, [FromForm] string? returnUrl, TokenStore tokens)
    {
        if (tokens.Find(token.Trim()) is not { } entry)
        {
            return Results.LocalRedirect("/signin?failed=1" + (IsLocal(returnUrl) ? "&returnUrl=" + Uri.EscapeDataString(returnUrl!) : ""));
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, entry.Name), new Claim(ClaimTypes.Role, entry.Role.ToString()), new Claim(TokenClaim, entry.Sha256)], CookieScheme);
        await context.SignInAsync(CookieScheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false });
        return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }

    private static bool IsLocal(string? url) => url is { Length: > 0 } && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    /// <summary>A session lasts only as long as its token: revoked, expired or replaced, the next request signs it out; a changed role counts at once.</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var tokens = context.HttpContext.RequestServices.GetRequiredService<TokenStore>();
        var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
        var principal = context.Principal!;
        if (Current(principal, tokens, time) is not { } entry)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme);
            return;
        }

        if (principal.FindFirstValue(ClaimTypes.Role) != entry.Role.ToString())
        {
            context.ReplacePrincipal(new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, entry.Name), new Claim(ClaimTypes.Role, entry.Role.ToString()), new Claim(TokenClaim, entry.Sha256)], CookieScheme)));
            context.ShouldRenew = true;
        }
    }
}
