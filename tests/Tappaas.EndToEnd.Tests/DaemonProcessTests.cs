using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Tappaas.TestUtilities;

namespace Tappaas.EndToEnd.Tests;

/// <summary>The real daemon process: guests installed through its API keep serving when it is killed, and a new daemon re-attaches to them.</summary>
public sealed class DaemonProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Killing_the_daemon_leaves_guests_serving_and_a_restarted_daemon_reattaches_to_the_same_processes()
    {
        using var fx = new SiteFixture();
        var site = SiteFixture.EmbeddedSiteFolder();
        Process? daemon = null;
        try
        {
            await fx.InitEmbeddedAsync(site, "e4", 160);
            fx.HttpModule("web", 470);
            var listen = $"http://127.0.0.1:{SiteHttps.FreePort()}";
            string token;
            (daemon, token) = await StartDaemonAsync(site, listen);
            using var api = new HttpClient { BaseAddress = new Uri(listen), Timeout = TimeSpan.FromSeconds(90) };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Assert.True((await api.PostAsync("/api/v1/modules/cluster/install", null, Ct)).IsSuccessStatusCode);
            var install = await api.PostAsync("/api/v1/modules/web/install", null, Ct);
            Assert.True(install.IsSuccessStatusCode, await install.Content.ReadAsStringAsync(Ct));

            var guest = (await api.GetFromJsonAsync<JsonElement>("/api/v1/modules/web", Ct)).GetProperty("guests")[0];
            var page = $"http://{guest.GetProperty("address").GetString()}:8083/";
            var before = State(site);

            daemon.Kill(); // SIGKILL: no shutdown code runs
            await daemon.WaitForExitAsync(Ct);
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
            Assert.Contains("Directory listing", await http.GetStringAsync(page, Ct), StringComparison.Ordinal);

            (daemon, var again) = await StartDaemonAsync(site, listen);
            Assert.Null(again); // the first token was shown once; the old one still works
            var update = await api.PostAsync("/api/v1/modules/web/update", null, Ct);
            Assert.True(update.IsSuccessStatusCode, await update.Content.ReadAsStringAsync(Ct));
            var after = State(site);
            Assert.Equal(before.GetProperty("WorkloadPid").GetInt32(), after.GetProperty("WorkloadPid").GetInt32());
            Assert.Equal(before.GetProperty("ShimPid").GetInt32(), after.GetProperty("ShimPid").GetInt32());
            Assert.Equal(0, after.GetProperty("Restarts").GetInt32());
            var view = (await api.GetFromJsonAsync<JsonElement>("/api/v1/modules/web", Ct)).GetProperty("guests")[0];
            Assert.True(view.GetProperty("ready").GetBoolean());
            Assert.True((await api.DeleteAsync("/api/v1/modules/web?remove=true", Ct)).IsSuccessStatusCode);
        }
        finally
        {
            if (daemon is { HasExited: false })
            {
                daemon.Kill();
            }

            await Cli.RunAsync(site, "delete", "web", "--remove", "--yes");
            await EmbeddedSites.RemoveHostObjectsAsync(site);
            Directory.Delete(site, recursive: true);
        }
    }

    [Fact]
    public async Task The_example_stack_is_served_through_the_daemons_proxy_with_tls_from_the_site_ca()
    {
        var site = SiteFixture.EmbeddedSiteFolder();
        var stack = Path.Combine(RepoPaths.Root, "examples", "stack");
        Process? daemon = null;
        try
        {
            Assert.Equal(0, (await Cli.RunAsync(site, "init", "--backend", "cluster:*=embedded", "--backend", "firewall:*=embedded", "--backend", "backup:*=embedded", "--repository", stack)).Code);
            EmbeddedSites.Separate(site, "e5", 190);
            var domain = JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "config", "configuration.json"))).RootElement.GetProperty("tappaas").GetProperty("domain").GetString();
            var (listen, https) = ($"http://127.0.0.1:{SiteHttps.FreePort()}", SiteHttps.FreePort());
            string token;
            (daemon, token) = await StartDaemonAsync(site, listen, "--proxy-https", $"https://127.0.0.1:{https}");
            using var api = new HttpClient { BaseAddress = new Uri(listen), Timeout = TimeSpan.FromSeconds(90) };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            foreach (var module in new[] { "cluster", "firewall", "backup", "counter" })
            {
                var install = await api.PostAsync($"/api/v1/modules/{module}/install", null, Ct);
                Assert.True(install.IsSuccessStatusCode, await install.Content.ReadAsStringAsync(Ct));
            }

            using var root = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await api.GetStringAsync("/api/v1/ca.crt", Ct));
            using var browser = SiteHttps.Client(https, root);

            var url = $"https://counter.{domain}/";
            HttpResponseMessage? page = null;
            for (var i = 0; i < 50 && page?.IsSuccessStatusCode != true; i++)
            {
                await Task.Delay(100, Ct); // the proxy picks up new routes within a second
                page = await browser.GetAsync(url, Ct);
            }

            Assert.True(page!.IsSuccessStatusCode, page.StatusCode.ToString());
            Assert.Contains("counter v1", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            Assert.Equal("1", (await (await browser.PostAsync(url + "count", null, Ct)).Content.ReadAsStringAsync(Ct)).Trim());
            Assert.True((await api.DeleteAsync("/api/v1/modules/counter?remove=true", Ct)).IsSuccessStatusCode);
        }
        finally
        {
            if (daemon is { HasExited: false })
            {
                daemon.Kill();
            }

            await Cli.RunAsync(site, "delete", "counter", "--remove", "--yes");
            await EmbeddedSites.RemoveHostObjectsAsync(site);
            Directory.Delete(site, recursive: true);
        }
    }

    [Fact]
    public async Task The_cli_on_the_daemons_host_goes_through_its_owner_only_socket_and_a_killed_daemons_socket_is_replaced()
    {
        using var fx = new SiteFixture();
        await fx.InitAsync();
        var socket = Path.Combine(fx.Site, "api.sock");
        var listen = $"http://127.0.0.1:{SiteHttps.FreePort()}";
        var (daemon, token) = await StartDaemonAsync(fx.Site, listen);
        var env = new Dictionary<string, string> { ["TAPPAAS_TOKEN"] = token };
        try
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
            Assert.Equal(socket, Announcement(fx.Site).GetProperty("socket").GetString());

            // The announced URL made unreachable: status still answers, so it came through the socket.
            Unreachable(fx.Site, keepSocket: true);
            var status = await Cli.RunAsync(fx.Site, env, "status");
            Assert.True(status.Code == 0, status.Output);

            // Without the socket in the announcement the CLI goes to the URL, and says that it cannot reach it.
            Unreachable(fx.Site, keepSocket: false);
            var refused = await Cli.RunAsync(fx.Site, env, "status");
            Assert.NotEqual(0, refused.Code);
            Assert.Contains("127.0.0.1:1", refused.Output, StringComparison.Ordinal);

            daemon.Kill(); // SIGKILL: the socket file stays behind with nobody listening
            await daemon.WaitForExitAsync(Ct);
            Assert.True(File.Exists(socket));
            (daemon, _) = await StartDaemonAsync(fx.Site, listen);
            Unreachable(fx.Site, keepSocket: true);
            var again = await Cli.RunAsync(fx.Site, env, "status");
            Assert.True(again.Code == 0, again.Output);

            // The daemon's log is what it did, not a line per request it answered (ASP.NET Core's own are off).
            var log = string.Join('\n', Daemon.Output(daemon));
            Assert.Contains("Now listening on", log, StringComparison.Ordinal);
            Assert.DoesNotContain("Request finished", log, StringComparison.Ordinal);
            Assert.DoesNotContain("Executed endpoint", log, StringComparison.Ordinal);
        }
        finally
        {
            if (!daemon.HasExited)
            {
                daemon.Kill();
            }
        }
    }

    private static JsonElement Announcement(string site) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "api.json"))).RootElement.Clone();

    /// <summary>Points the site's announcement at a port nobody listens on, with or without the daemon's socket.</summary>
    private static void Unreachable(string site, bool keepSocket)
    {
        var a = Announcement(site);
        var socket = keepSocket ? $", \"socket\": \"{a.GetProperty("socket").GetString()}\"" : "";
        File.WriteAllText(Path.Combine(site, "api.json"), $"{{\"url\": \"http://127.0.0.1:1\", \"pid\": {a.GetProperty("pid").GetInt32()}{socket}}}");
    }

    private static Task<(Process Daemon, string Token)> StartDaemonAsync(string site, string listen, params string[] extra) => Daemon.StartAsync(site, listen, Ct, extra);

    private static JsonElement State(string site) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "guests", "web-0", "state.json"))).RootElement.Clone();
}
