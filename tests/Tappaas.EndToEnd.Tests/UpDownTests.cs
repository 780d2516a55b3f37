using System.Security.Cryptography.X509Certificates;
using Tappaas.TestUtilities;

namespace Tappaas.EndToEnd.Tests;

/// <summary>The main job: `tappaas up` brings up the daemon, the proxy and the example stack; again it changes nothing; `down --purge` removes it.</summary>
public sealed class UpDownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Up_serves_the_example_stack_over_tls_is_idempotent_and_down_purge_removes_the_site()
    {
        var site = Path.Combine("/var/tmp", "tappaas-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        var (https, http, api) = (SiteHttps.FreePort(), SiteHttps.FreePort(), SiteHttps.FreePort());
        string[] Up() => ["up", "--data-dir", site, "--no-packages", "--https-port", $"{https}", "--http-port", $"{http}", "--api-port", $"{api}"];
        try
        {
            // A site prepared on its own subnets (other tests run guests at the same time), then brought up.
            var stack = Path.Combine(RepoPaths.Root, "examples", "stack");
            Assert.Equal(0, (await Cli.RunAsync(site, "init", "--backend", "cluster:*=embedded", "--backend", "firewall:*=embedded", "--backend", "backup:*=embedded", "--repository", stack)).Code);
            EmbeddedSites.Separate(site, "e6", 170);

            var up = await Cli.RunAsync(site, Up());
            Assert.True(up.Code == 0, up.Output);
            Assert.Contains("TAPPaaS is up", up.Output, StringComparison.Ordinal);
            Assert.Contains("your admin token:     tpk_", up.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("tpk_", await File.ReadAllTextAsync(Path.Combine(site, "logs", "daemon.log"), Ct), StringComparison.Ordinal);

            using var root = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(site, "ca", "root.crt"), Ct));
            using var browser = SiteHttps.Client(https, root);
            var page = await browser.GetStringAsync("https://counter.tappaas.internal/", Ct);
            Assert.Contains("counter v1", page, StringComparison.Ordinal);

            var again = await Cli.RunAsync(site, Up());
            Assert.True(again.Code == 0, again.Output);
            Assert.Contains("the daemon already runs", again.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("installing", again.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("tpk_", again.Output, StringComparison.Ordinal);

            var down = await Cli.RunAsync(site, "down", "--data-dir", site, "--purge");
            Assert.True(down.Code == 0, down.Output);
            Assert.Contains("stopped the daemon", down.Output, StringComparison.Ordinal);
            Assert.False(Directory.Exists(site));
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => browser.GetStringAsync("https://counter.tappaas.internal/", Ct));
        }
        finally
        {
            if (Directory.Exists(site))
            {
                await Cli.RunAsync(site, "down", "--data-dir", site, "--purge");
            }
        }
    }
}
