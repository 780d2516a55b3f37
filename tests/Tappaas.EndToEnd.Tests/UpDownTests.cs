using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Tappaas.TestUtilities;

namespace Tappaas.EndToEnd.Tests;

/// <summary>
/// The main job and the README's walkthrough with the real processes: `tappaas up` brings up the daemon, the proxy and
/// the example stack; the CLI then works through the daemon's API (status, install with live progress, an update, an
/// update that fails and is rolled back, logs, events, history, completion); up again changes nothing; `down --purge`
/// removes it all.
/// </summary>
public sealed class UpDownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Up_then_the_cli_through_the_daemon_update_with_rollback_logs_and_down_purge()
    {
        var site = SiteFixture.EmbeddedSiteFolder();
        var repository = site + "-repository";
        var (https, http, api) = (SiteHttps.FreePort(), SiteHttps.FreePort(), SiteHttps.FreePort());
        string[] Up() => ["up", "--data-dir", site, "--no-packages", "--https-port", $"{https}", "--http-port", $"{http}", "--api-port", $"{api}"];
        try
        {
            // A site prepared on its own subnets (other tests run guests at the same time) with its own copy of the
            // example stack (releases are published by copying them over it), then brought up.
            Examples.CopyStack(repository);
            Assert.Equal(0, (await Cli.RunAsync(site, "init", "--backend", "cluster:*=embedded", "--backend", "firewall:*=embedded", "--backend", "backup:*=embedded", "--repository", repository)).Code);
            EmbeddedSites.Separate(site, "e6", 170);

            var up = await Cli.RunAsync(site, Up());
            Assert.True(up.Code == 0, up.Output);
            Assert.Contains("TAPPaaS is up", up.Output, StringComparison.Ordinal);
            Assert.Contains("your admin token:     tpk_", up.Output, StringComparison.Ordinal);
            Assert.Contains("completed counter/cluster:vm:ServiceInstall  counter: started counter-0, counter-1", up.Output, StringComparison.Ordinal); // live progress
            Assert.DoesNotContain("tpk_", await File.ReadAllTextAsync(Path.Combine(site, "logs", "daemon.log"), Ct), StringComparison.Ordinal);

            using var root = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(site, "ca", "root.crt"), Ct));
            using var browser = SiteHttps.Client(https, root);
            Assert.Contains("counter v1", await browser.GetStringAsync("https://counter.tappaas.internal/", Ct), StringComparison.Ordinal);
            Assert.Equal("1", (await (await browser.PostAsync("https://counter.tappaas.internal/count", null, Ct)).Content.ReadAsStringAsync(Ct)).Trim());
            Assert.Contains("the counter has counted <b>1</b>", await browser.GetStringAsync("https://board.tappaas.internal/", Ct), StringComparison.Ordinal);

            // The CLI goes through the daemon (HTTPS, the site CA, the token up kept): a wrong token is refused by it.
            var status = await Cli.RunAsync(site, "status");
            Assert.True(status.Code == 0, status.Output);
            Assert.Matches("guest counter-1 +running ready", status.Output);
            Assert.Matches("guest board-0 +running ready", status.Output);
            var refused = await Cli.RunAsync(site, new Dictionary<string, string> { ["TAPPAAS_TOKEN"] = "tpk_wrong" }, "status");
            Assert.Equal(1, refused.Code);
            Assert.Contains("refused the API token", refused.Output, StringComparison.Ordinal);
            Assert.Equal(0, (await Cli.RunAsync(site, new Dictionary<string, string> { ["TAPPAAS_TOKEN"] = "tpk_wrong" }, "status", "--local")).Code);

            // Install through the daemon, with its steps printed as they run.
            Assert.Equal(0, (await Cli.RunAsync(site, "delete", "board", "--remove", "--yes")).Code);
            var install = await Cli.RunAsync(site, "install", "board");
            Assert.True(install.Code == 0, install.Output);
            Assert.Matches(@"run \d+ #1 +completed board/cluster:vm:ServiceInstall  board: started board-0", install.Output);
            Assert.Contains("install: done", install.Output, StringComparison.Ordinal);

            // Release 2: the update rolls out under steady load without a failed request; the count on the disk is kept.
            await using var load = new SteadyLoad(browser, new Uri("https://counter.tappaas.internal/"), 50);
            Examples.PublishCounter("counter-v2", repository);
            (int Code, string Output) update = default;
            var during = await load.DuringAsync(async () => update = await Cli.RunAsync(site, "update", "counter"), TimeSpan.FromSeconds(1));
            Assert.True(update.Code == 0, update.Output);
            Assert.Contains("<h1>1</h1><p>counter v2", await PageAsync(browser, "counter v2"), StringComparison.Ordinal);
            Assert.True(during.Failed == 0 && during.Sent > 50, $"{during}: {load.Failures}");

            // A broken release: its guests never become ready, the update is reverted and rolled back (exit 2), and v2
            // kept serving throughout.
            Examples.PublishCounter("counter-broken", repository);
            load.TakeBodies();
            (int Code, string Output) broken = default;
            during = await load.DuringAsync(async () => broken = await Cli.RunAsync(site, "update", "counter"), TimeSpan.FromSeconds(1));
            Assert.True(broken.Code == 2, broken.Output);
            Assert.Contains("update: failed and rolled back", broken.Output, StringComparison.Ordinal);
            Assert.Contains("reverted: the previous revision's guests kept serving", broken.Output, StringComparison.Ordinal);
            Assert.Matches(@"run \d+ #\d+ +undone +counter:Snapshot", broken.Output);
            Assert.True(during.Failed == 0 && during.Sent > 50, $"{during}: {load.Failures}");
            Assert.Equal(["counter v2"], load.TakeBodies().Keys.Select(k => k.Contains("counter v2", StringComparison.Ordinal) ? "counter v2" : k).Distinct());

            // Backup and restore through the daemon: the count comes back.
            var backup = await Cli.RunAsync(site, "backup", "counter");
            Assert.True(backup.Code == 0, backup.Output);
            Assert.Equal("2", (await (await browser.PostAsync("https://counter.tappaas.internal/count", null, Ct)).Content.ReadAsStringAsync(Ct)).Trim());
            var restore = await Cli.RunAsync(site, "restore", "counter");
            Assert.True(restore.Code == 0, restore.Output);
            Assert.Contains("<h1>1</h1>", await PageAsync(browser, "<h1>1</h1>"), StringComparison.Ordinal);

            var logs = await Cli.RunAsync(site, "logs", "counter", "--since", "10m");
            Assert.Matches(@"counter-\d+\(removed\) \S+ err .*can't open file .*counter3\.py", logs.Output); // the reverted guest's output is kept
            var jsonLogs = (await Cli.RunAsync(site, "logs", "counter", "--since", "10m", "--json")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Contains(jsonLogs, l => l.GetProperty("stream").GetString() == "err" && l.GetProperty("text").GetString()!.Contains("counter3.py", StringComparison.Ordinal));
            var events = JsonDocument.Parse((await Cli.RunAsync(site, "events", "--json")).Output).RootElement.EnumerateArray().ToList();
            Assert.Contains(events, e => e.GetProperty("module").GetString() == "counter" && e.GetProperty("kind").GetString() == "update-rolled-back");
            var history = JsonDocument.Parse((await Cli.RunAsync(site, "history", "counter", "--json")).Output).RootElement;
            Assert.Equal([1, 2], history.EnumerateArray().Select(r => r.GetProperty("revision").GetInt32()));

            // Shell completion asks the CLI: commands and the site's module names.
            Assert.Contains("complete -o default -F _tappaas_complete", (await Cli.RunAsync(site, "completion", "bash")).Output, StringComparison.Ordinal);
            var suggested = await ProcessRunner.RunAsync("dotnet", [Cli.Dll, "[suggest:10]", $"update cou --site {site}"]);
            Assert.Equal(["counter"], suggested.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));

            // API tokens through the daemon: made with an expiry, listed without a secret, revoked; never the last admin.
            var made = await Cli.RunAsync(site, "token", "create", "ci", "--role", "viewer", "--expires-in", "1d");
            Assert.True(made.Code == 0, made.Output);
            Assert.Matches("tpk_[A-Za-z0-9_-]{43}", made.Output);
            var tokens = await Cli.RunAsync(site, "token", "list");
            Assert.Matches("ci +viewer +created .* expires ", tokens.Output);
            Assert.DoesNotContain("tpk_", tokens.Output, StringComparison.Ordinal);
            Assert.Equal(0, (await Cli.RunAsync(site, "token", "revoke", "ci")).Code);
            Assert.DoesNotContain("ci ", (await Cli.RunAsync(site, "token", "list")).Output, StringComparison.Ordinal);
            var lastAdmin = await Cli.RunAsync(site, "token", "revoke", "admin");
            Assert.True(lastAdmin.Code == 1 && lastAdmin.Output.Contains("last admin token", StringComparison.Ordinal), lastAdmin.Output);

            var again = await Cli.RunAsync(site, [.. Up(), "--json"]);
            Assert.True(again.Code == 0, again.Output);
            Assert.Contains("the daemon already runs", again.Output, StringComparison.Ordinal);
            Assert.Contains("\"urls\": [", again.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("installing", again.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("tpk_", again.Output, StringComparison.Ordinal);

            var down = await Cli.RunAsync(site, "down", "--data-dir", site, "--purge");
            Assert.True(down.Code == 0, down.Output);
            Assert.Contains("stopped the daemon", down.Output, StringComparison.Ordinal);
            Assert.False(Directory.Exists(site));
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => browser.GetStringAsync("https://counter.tappaas.internal/", Ct));

            // --purge leaves no host object of the site: no zone bridge, no namespace, no nftables table.
            var (_, bridges) = await ProcessRunner.RunAsync("ip", ["-o", "link", "show", "type", "bridge"]);
            Assert.DoesNotContain("tqe6-", bridges, StringComparison.Ordinal);
            var (_, namespaces) = await ProcessRunner.RunAsync("ip", ["netns", "list"]);
            Assert.DoesNotContain("tqe6-", namespaces, StringComparison.Ordinal);
            Assert.NotEqual(0, (await ProcessRunner.RunAsync("nft", ["list", "table", "inet", "tappaas_e6"])).Code);
        }
        finally
        {
            if (Directory.Exists(site))
            {
                await Cli.RunAsync(site, "down", "--data-dir", site, "--purge");
            }

            await EmbeddedSites.RemoveHostObjectsAsync("e6", site);

            if (Directory.Exists(repository))
            {
                Directory.Delete(repository, recursive: true);
            }
        }
    }

    // The proxy follows the guests within a second or two of a change (and restored guests take a moment to be ready).
    private static async Task<string> PageAsync(HttpClient browser, string expected)
    {
        var page = "";
        for (var i = 0; i < 100 && !page.Contains(expected, StringComparison.Ordinal); i++)
        {
            using var response = await browser.GetAsync("https://counter.tappaas.internal/", Ct);
            page = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}";
            await Task.Delay(100, Ct);
        }

        return page;
    }
}
