using System.Net;
using System.Security.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Tappaas.Client;
using Tappaas.Daemon.Proxy;
using Tappaas.TestUtilities;

namespace Tappaas.Daemon.Tests;

/// <summary>
/// The CLI's TLS trust (<see cref="SiteTrust.Handler"/>): a certificate for the requested name chained to the site's root
/// only; another name, another site's root, or the system store alone are refused.
/// </summary>
public sealed class SiteTrustTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Only_a_certificate_for_the_name_chained_to_the_site_root_is_accepted()
    {
        using var dir = new TempDir();
        // Real time: the TLS stack checks validity against the system clock, so the certificates are issued by it too.
        var site = new SiteCertificateAuthority(Path.Combine(dir.Path, "a"), "a", TimeProvider.System);
        var other = new SiteCertificateAuthority(Path.Combine(dir.Path, "b"), "b", TimeProvider.System);
        var port = SiteHttps.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.UseHttps(h => h.ServerCertificateSelector = (_, _) => site.ServerCertificate("api.a.internal"))));
        await using var app = builder.Build();
        app.MapGet("/", () => Results.Text("trusted"));
        await app.StartAsync(Ct);

        Assert.Equal("trusted", await Get(site, "api.a.internal"));
        var wrongName = await Assert.ThrowsAsync<HttpRequestException>(() => Get(site, "api.b.internal"));
        Assert.IsType<AuthenticationException>(wrongName.InnerException);
        var wrongRoot = await Assert.ThrowsAsync<HttpRequestException>(() => Get(other, "api.a.internal"));
        Assert.IsType<AuthenticationException>(wrongRoot.InnerException);
        var systemOnly = await Assert.ThrowsAsync<HttpRequestException>(() => Get(null, "api.a.internal"));
        Assert.IsType<AuthenticationException>(systemOnly.InnerException);

        async Task<string> Get(SiteCertificateAuthority? trusted, string name)
        {
            var handler = SiteTrust.Handler(trusted?.Root);
            handler.ConnectCallback = SiteHttps.ConnectTo(port);
            using var client = new HttpClient(handler);
            return await client.GetStringAsync($"https://{name}/", Ct);
        }
    }
}
