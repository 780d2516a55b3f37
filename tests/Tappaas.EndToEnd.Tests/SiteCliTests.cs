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
        Assert.Equal(0, (await Cli.RunAsync(other, "plan")).Code);
    }
}
