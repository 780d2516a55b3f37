using System.Text.Json;

namespace Tappaas.EndToEnd.Tests;

/// <summary>The site commands as an operator runs them: exit codes, messages, and what they leave behind.</summary>
public sealed class SiteCliTests
{
    [Fact]
    public async Task Plan_install_update_history_rollback_delete()
    {
        using var fx = new SiteFixture();
        Assert.Contains("no site at", (await Cli.RunAsync(fx.Site, "status")).Output, StringComparison.Ordinal);
        await fx.InitAsync();
        Assert.Contains("already exists", (await Cli.RunAsync(fx.Site, "init")).Output, StringComparison.Ordinal);

        var plan = await Cli.RunAsync(fx.Site, "plan", "--json", "cluster", "db", "web");
        Assert.Equal(2, plan.Code);
        using (var doc = JsonDocument.Parse(plan.Output))
        {
            Assert.Equal(0, doc.RootElement.GetProperty("stateRevision").GetInt64());
            Assert.Equal("web", doc.RootElement.GetProperty("changes").EnumerateArray().Last().GetProperty("address").GetString());
        }

        Assert.Equal(1, (await Cli.RunAsync(fx.Site, "plan", "web")).Code); // its providers are neither installed nor given
        Assert.Equal(2, (await Cli.RunAsync(fx.Site, "install", "no-such-module")).Code);
        var install = await Cli.RunAsync(fx.Site, "install", Path.Combine(fx.Modules, "cluster"), Path.Combine(fx.Modules, "db", "db.json"), "web");
        Assert.True(install.Code == 0, install.Output);
        Assert.Equal(0, (await Cli.RunAsync(fx.Site, "plan")).Code);

        fx.WebRelease(cores: 8);
        Assert.Equal(2, (await Cli.RunAsync(fx.Site, "plan")).Code);
        var saved = Path.Combine(fx.Root, "plan.json");
        Assert.Equal(2, (await Cli.RunAsync(fx.Site, "plan", "web", "--out", saved)).Code);
        Assert.Equal(0, (await Cli.RunAsync(fx.Site, "update", "web")).Code);
        var stale = await Cli.RunAsync(fx.Site, "apply", saved);
        Assert.Equal(1, stale.Code);
        Assert.Contains("the saved plan is stale", stale.Output, StringComparison.Ordinal);

        var history = await Cli.RunAsync(fx.Site, "history", "web");
        Assert.Contains("r2", history.Output, StringComparison.Ordinal);
        Assert.Equal(0, (await Cli.RunAsync(fx.Site, "rollback", "web")).Code);
        Assert.Contains("\"cores\": 2", SiteFixture.Modules_(fx.Site)["web"].Definition, StringComparison.Ordinal);
        Assert.Equal(0, (await Cli.RunAsync(fx.Site, "test", "web")).Code);

        var journal = await Cli.RunAsync(fx.Site, "journal");
        Assert.Contains("completed web:Commit", journal.Output.Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);

        var unconfirmed = await Cli.RunAsync(fx.Site, "delete", "web");
        Assert.Equal(1, unconfirmed.Code);
        Assert.Contains("pass --yes", unconfirmed.Output, StringComparison.Ordinal);
        var refused = await Cli.RunAsync(fx.Site, "delete", "db", "--yes");
        Assert.Equal(1, refused.Code);
        Assert.Contains("is used by \"web\"", refused.Output, StringComparison.Ordinal);
        Assert.Equal(0, (await Cli.RunAsync(fx.Site, "delete", "web", "--yes")).Code);
        Assert.Equal("archived", SiteFixture.Modules_(fx.Site)["web"].Status);
        Assert.Equal(0, (await Cli.RunAsync(fx.Site, "delete", "db", "--yes")).Code);
    }

    [Fact]
    public async Task Export_and_import_use_the_upstream_config_folder_layout()
    {
        using var fx = new SiteFixture();
        await fx.InitAsync();
        Assert.Equal(0, (await Cli.RunAsync(fx.Site, "install", "cluster", "db", "web")).Code);
        var exported = Path.Combine(fx.Root, "export");
        Assert.Equal(0, (await Cli.RunAsync(fx.Site, "export", exported)).Code);
        Assert.True(File.Exists(Path.Combine(exported, "web.json")));
        Assert.True(File.Exists(Path.Combine(exported, "web.json.orig")));
        Assert.True(File.Exists(Path.Combine(exported, "zones.json")));

        var other = Path.Combine(fx.Root, "other");
        await fx.InitAsync(other);
        var import = await Cli.RunAsync(other, "import", exported);
        Assert.True(import.Code == 0, import.Output);
        var modules = SiteFixture.Modules_(other);
        Assert.Equal(["cluster", "db", "web"], modules.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(SiteFixture.Modules_(fx.Site)["web"].Definition, modules["web"].Definition);
        Assert.Equal(2, (await Cli.RunAsync(other, "plan")).Code); // import runs nothing: the fake backend of this site has no VMs yet (drift)
        CopyFolder(Path.Combine(fx.Site, "fake", "objects"), Path.Combine(other, "fake", "objects")); // as when both sites share a cluster
        Assert.Equal(0, (await Cli.RunAsync(other, "plan")).Code);
    }

    [Fact]
    public async Task A_site_under_a_dotted_folder_finds_its_modules_by_name_but_skips_hidden_and_attic_folders_inside_its_repository()
    {
        // Where ./tappaas up puts a newcomer's site: ~/.local/share/tappaas/site, with the repository inside it.
        using var fx = new SiteFixture();
        var site = Path.Combine(fx.Root, "home", ".local", "share", "tappaas", "site");
        var repository = Path.Combine(site, "repository");
        foreach (var file in Directory.GetFiles(fx.Modules, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(repository, Path.GetRelativePath(fx.Modules, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }

        // Inside the repository, hidden folders and Attic/ still do not count.
        foreach (var hidden in new[] { ".git/extra", "Attic/extra" })
        {
            Directory.CreateDirectory(Path.Combine(repository, hidden));
            File.WriteAllText(Path.Combine(repository, hidden, "extra.json"), """{"description": "not a release", "version": "1.0", "dependsOn": ["cluster:vm"]}""");
        }

        var (code, output) = await Cli.RunAsync(site, "init", "--backend", "cluster:*=fake", "--repository", repository);
        Assert.True(code == 0, output);
        var install = await Cli.RunAsync(site, "install", "cluster", "db", "web");
        Assert.True(install.Code == 0, install.Output);
        Assert.Equal(["cluster", "db", "web"], SiteFixture.Modules_(site).Keys.Order(StringComparer.Ordinal));
        var hiddenOnly = await Cli.RunAsync(site, "install", "extra");
        Assert.Equal(2, hiddenOnly.Code);
        Assert.Contains("no module \"extra\"", hiddenOnly.Output, StringComparison.Ordinal);
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }
    }
}
