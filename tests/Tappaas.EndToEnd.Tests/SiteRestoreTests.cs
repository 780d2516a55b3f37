using System.Text.Json;
using Tappaas.TestUtilities;

namespace Tappaas.EndToEnd.Tests;

/// <summary>
/// The platform backs itself up: <c>tappaas site backup</c> puts the state store, config, CA and secrets into the site's
/// restic repository, and <c>tappaas site restore</c> brings the site back in another folder after the first is gone —
/// the same modules, revisions and data, its guests running.
/// </summary>
public sealed class SiteRestoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_site_restored_from_its_backup_into_a_new_folder_has_the_same_modules_revisions_and_count()
    {
        if (Platform.Embedded.EmbeddedPlatform.CanIsolate is false || Platform.Embedded.Backup.ResticRepository.Binary is null)
        {
            Assert.Skip(Prerequisites.Missing("root with iproute2, util-linux and restic"));
        }

        var first = SiteFixture.EmbeddedSiteFolder();
        var second = SiteFixture.EmbeddedSiteFolder();
        using var kept = new TempDir("/var/tmp"); // what an operator keeps off the machine: the repository and its password
        var stack = Path.Combine(RepoPaths.Root, "examples", "stack");
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            Assert.Equal(0, (await Cli.RunAsync(first, "init", "--backend", "cluster:*=embedded", "--backend", "firewall:*=embedded", "--backend", "backup:*=embedded", "--repository", stack)).Code);
            EmbeddedSites.Separate(first, "e8", 60);
            var install = await Cli.RunAsync(first, "install", "cluster", "firewall", "backup", "counter");
            Assert.True(install.Code == 0, install.Output);
            var url = CountUrl(first);
            Assert.Equal("1", await PostAsync(http, url));
            Assert.Equal("2", await PostAsync(http, url));
            var scale = await Cli.RunAsync(first, "scale", "counter", "1");
            Assert.True(scale.Code == 0, scale.Output);
            var backup = await Cli.RunAsync(first, "backup", "counter");
            Assert.True(backup.Code == 0, backup.Output);
            var siteBackup = await Cli.RunAsync(first, "site", "backup");
            Assert.True(siteBackup.Code == 0, siteBackup.Output);
            Assert.Contains("site snapshot", siteBackup.Output, StringComparison.Ordinal);
            var history = (await Cli.RunAsync(first, "history", "counter")).Output;
            Assert.Contains("scale from 2 to 1 replicas", history, StringComparison.Ordinal);
            var modules = Modules((await Cli.RunAsync(first, "status", "--json")).Output);

            // The machine is lost; the repository and its password were kept elsewhere.
            var repository = Path.Combine(kept.Path, "repository");
            await Platform.Embedded.Backup.BackupService.CopyAsync(Path.Combine(first, "backups", "repository"), repository, Ct);
            var password = Path.Combine(kept.Path, "password");
            File.Copy(Path.Combine(first, "secrets", "restic-password"), password);
            await EmbeddedSites.RemoveHostObjectsAsync(first);
            Directory.Delete(first, recursive: true);

            var restore = await Cli.RunAsync(second, "site", "restore", "--repository", repository, "--password-file", password);
            Assert.True(restore.Code == 0, restore.Output);
            Assert.Contains("restored the disk of counter", restore.Output, StringComparison.Ordinal);
            Assert.Equal(history, (await Cli.RunAsync(second, "history", "counter")).Output);
            Assert.Equal(modules, Modules((await Cli.RunAsync(second, "status", "--json")).Output));
            Assert.Equal("2", (await http.GetStringAsync(CountUrl(second), Ct)).Trim());
            Assert.Equal("3", await PostAsync(http, CountUrl(second)));
            Assert.Equal(0, (await Cli.RunAsync(second, "test", "counter")).Code);

            // A second restore into a folder that is not empty changes nothing and says why.
            var again = await Cli.RunAsync(second, "site", "restore", "--repository", repository, "--password-file", password);
            Assert.Equal(1, again.Code);
            Assert.Contains("the folder is not empty", again.Output, StringComparison.Ordinal);
            Assert.Equal("3", (await http.GetStringAsync(CountUrl(second), Ct)).Trim());
        }
        finally
        {
            foreach (var site in new[] { first, second }.Where(Directory.Exists))
            {
                await EmbeddedSites.RemoveHostObjectsAsync(site);
                Directory.Delete(site, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Restore_refuses_a_missing_password_file_and_a_repository_without_a_site_backup()
    {
        if (Platform.Embedded.Backup.ResticRepository.Binary is null)
        {
            Assert.Skip(Prerequisites.Missing("restic (Debian package restic)"));
        }

        using var dir = new TempDir("/var/tmp");
        var target = Path.Combine(dir.Path, "site");
        var missing = await Cli.RunAsync(target, "site", "restore", "--repository", Path.Combine(dir.Path, "repo"), "--password-file", Path.Combine(dir.Path, "nope"));
        Assert.Equal(1, missing.Code);
        Assert.Contains("--password-file", missing.Output, StringComparison.Ordinal);

        var password = dir.Write("password", "secret");
        var empty = await Cli.RunAsync(target, "site", "restore", "--repository", Path.Combine(dir.Path, "repo"), "--password-file", password);
        Assert.Equal(1, empty.Code);
        Assert.Contains("--repository", empty.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target)); // nothing was made
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "repo"))); // nor a repository initialised
    }

    private static string CountUrl(string site)
    {
        var spec = JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "guests", "counter-0", "spec.json"))).RootElement;
        return $"http://{spec.GetProperty("Address").GetString()}:{spec.GetProperty("Ports").GetProperty("http").GetInt32()}/count";
    }

    private static async Task<string> PostAsync(HttpClient http, string url) =>
        (await (await http.PostAsync(url, null, Ct)).Content.ReadAsStringAsync(Ct)).Trim();

    /// <summary>Each module's name, status and revision, as status --json has them.</summary>
    private static string Modules(string statusJson) =>
        string.Join(", ", JsonDocument.Parse(statusJson).RootElement.GetProperty("modules").EnumerateArray()
            .Select(m => $"{m.GetProperty("name").GetString()} {m.GetProperty("status").GetString()} r{m.GetProperty("revision").GetInt32()} {m.GetProperty("updatedAt").GetString()}"));
}
