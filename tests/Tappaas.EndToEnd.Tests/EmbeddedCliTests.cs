using System.Text.Json;
using Tappaas.TestUtilities;

namespace Tappaas.EndToEnd.Tests;

/// <summary>A module with a workload installed through the CLI on the embedded platform: it keeps serving after the CLI exits.</summary>
public sealed class EmbeddedCliTests
{
    [Fact]
    public async Task Guest_installed_by_the_cli_outlives_it_logs_and_is_removed()
    {
        using var fx = new SiteFixture();
        var site = SiteFixture.EmbeddedSiteFolder(); // guests get a private /tmp
        try
        {
            var init = await Cli.RunAsync(site, "init", "--backend", "cluster:*=embedded", "--repository", fx.Modules);
            Assert.True(init.Code == 0, init.Output);
            EmbeddedSites.Separate(site, "e1", 100);
            fx.Write("echo/echo.json", """
                {"description": "echo", "version": "1.0", "vmid": 450, "zone0": "srvWork", "dependsOn": ["cluster:vm"],
                 "config": {"cluster:vm": {"image": "none", "memory": 512, "cores": 1, "workload": {
                   "command": "/bin/sh", "args": ["-c", "echo started on $(hostname); exec /usr/bin/python3 -u -m http.server ${port:http} --bind 0.0.0.0 --directory /etc"],
                   "ports": {"http": 8081},
                   "health": {"readiness": {"tcp": {"port": "http"}, "interval": "200ms"}}}}}}
                """);
            var install = await Cli.RunAsync(site, "install", "cluster", "echo");
            Assert.True(install.Code == 0, install.Output);

            var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "guests", "echo-0", "state.json"))).RootElement;
            var spec = JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "guests", "echo-0", "spec.json"))).RootElement;
            var address = state.GetProperty("Address").GetString();
            var port = spec.GetProperty("Ports").GetProperty("http").GetInt32();
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
            Assert.Contains("Directory listing", await http.GetStringAsync($"http://{address}:{port}/", TestContext.Current.CancellationToken), StringComparison.Ordinal);
            Assert.Equal(0, (await Cli.RunAsync(site, "test", "echo")).Code);

            // Scaling through the engine: a second replica starts beside the first, then goes again.
            var up = await Cli.RunAsync(site, "scale", "echo", "2");
            Assert.True(up.Code == 0, up.Output);
            Assert.Equal("running", JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "guests", "echo-1", "state.json"))).RootElement.GetProperty("Status").GetString());
            var down = await Cli.RunAsync(site, "scale", "echo", "1");
            Assert.True(down.Code == 0, down.Output);
            Assert.False(Directory.Exists(Path.Combine(site, "guests", "echo-1")));
            Assert.Contains("scale from 2 to 1 replicas", (await Cli.RunAsync(site, "history", "echo")).Output, StringComparison.Ordinal);

            var logs = await Cli.RunAsync(site, "logs", "echo");
            Assert.Contains("echo-0", logs.Output, StringComparison.Ordinal);
            Assert.Contains("started on echo", logs.Output, StringComparison.Ordinal);

            Assert.Equal(0, (await Cli.RunAsync(site, "delete", "echo", "--remove", "--yes")).Code);
            Assert.False(Directory.Exists(Path.Combine(site, "guests", "echo-0")));
        }
        finally
        {
            await Cli.RunAsync(site, "delete", "echo", "--remove", "--yes");
            await EmbeddedSites.RemoveHostObjectsAsync(site);
            Directory.Delete(site, recursive: true);
        }
    }

    [Fact]
    public async Task Guests_survive_a_killed_control_process_and_are_reattached_not_restarted()
    {
        using var fx = new SiteFixture();
        var site = SiteFixture.EmbeddedSiteFolder();
        try
        {
            Assert.Equal(0, (await Cli.RunAsync(site, "init", "--backend", "cluster:*=embedded", "--backend", "firewall:*=embedded", "--repository", fx.Modules)).Code);
            EmbeddedSites.Separate(site, "e2", 120);
            fx.Write("firewall/firewall.json", """{"description": "firewall", "version": "1.0", "provides": ["rules", "dns"]}""");
            fx.Write("kept/kept.json", """
                {"description": "kept", "version": "1.0", "vmid": 451, "zone0": "srvWork", "ip": "10.122.20.21", "dependsOn": ["cluster:vm", "firewall:rules", "firewall:dns"],
                 "ports": [{"port": 8082, "description": "web"}], "ingress": [{"from": "dmz", "ports": [8082], "description": "the proxy"}],
                 "config": {"cluster:vm": {"image": "none", "memory": 512, "cores": 1, "workload": {
                   "command": "/usr/bin/python3", "args": ["-m", "http.server", "${port:http}", "--directory", "/etc"], "ports": {"http": 8082},
                   "health": {"readiness": {"tcp": {"port": "http"}, "interval": "200ms"}}}}}}
                """);
            Assert.Equal(0, (await Cli.RunAsync(site, "install", "cluster", "firewall")).Code);

            // Killed (SIGKILL) right after the guest started: journal lines 1-2 stage the config, 3-4 are the cluster:vm step.
            var crashed = await Cli.RunAsync(site, new Dictionary<string, string> { ["TAPPAAS_CRASH_AFTER_JOURNAL"] = "4" }, "install", "kept");
            Assert.Equal(137, crashed.Code);
            var before = State(site);
            Assert.True(before.GetProperty("Ready").GetBoolean());
            var url = $"http://{before.GetProperty("Address").GetString()}:8082/";
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
            Assert.Contains("Directory listing", await http.GetStringAsync(url, TestContext.Current.CancellationToken), StringComparison.Ordinal);

            var resumed = await Cli.RunAsync(site, "resume");
            Assert.True(resumed.Code == 0, resumed.Output);
            var after = State(site);
            Assert.Equal(before.GetProperty("WorkloadPid").GetInt32(), after.GetProperty("WorkloadPid").GetInt32());
            Assert.Equal(before.GetProperty("ShimPid").GetInt32(), after.GetProperty("ShimPid").GetInt32());
            Assert.Equal(0, after.GetProperty("Restarts").GetInt32());
            Assert.Contains("Directory listing", await http.GetStringAsync(url, TestContext.Current.CancellationToken), StringComparison.Ordinal);

            // The rest of the run happened: its rule is in the site's firewall and its name in the site's DNS.
            var test = await Cli.RunAsync(site, "test", "kept");
            Assert.True(test.Code == 0, test.Output);
            Assert.Contains("tappaas-module:kept:ingress:dmz:8082", await File.ReadAllTextAsync(Path.Combine(site, "firewall", "ruleset.nft"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
            var status = await Cli.RunAsync(site, "status");
            Assert.Contains("isolation: process confined as host uid ", status.Output, StringComparison.Ordinal);
        }
        finally
        {
            await Cli.RunAsync(site, "delete", "kept", "--remove", "--yes");
            await EmbeddedSites.RemoveHostObjectsAsync(site);
            Directory.Delete(site, recursive: true);
        }
    }

    [Fact]
    public async Task The_example_counter_survives_backup_and_restore()
    {
        var site = SiteFixture.EmbeddedSiteFolder();
        var stack = Path.Combine(RepoPaths.Root, "examples", "stack");
        try
        {
            Assert.Equal(0, (await Cli.RunAsync(site, "init", "--backend", "cluster:*=embedded", "--backend", "firewall:*=embedded", "--backend", "backup:*=embedded", "--repository", stack)).Code);
            EmbeddedSites.Separate(site, "e3", 140);
            var install = await Cli.RunAsync(site, "install", "cluster", "firewall", "backup", "counter");
            Assert.True(install.Code == 0, install.Output);
            var spec = JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "guests", "counter-0", "spec.json"))).RootElement;
            var url = $"http://{spec.GetProperty("Address").GetString()}:{spec.GetProperty("Ports").GetProperty("http").GetInt32()}/count";
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
            async Task<string> Post() => (await (await http.PostAsync(url, null, TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Trim();

            Assert.Equal("1", await Post());
            var backup = await Cli.RunAsync(site, "backup", "counter");
            Assert.True(backup.Code == 0, backup.Output);
            Assert.Equal("2", await Post());

            var restore = await Cli.RunAsync(site, "restore", "counter");
            Assert.True(restore.Code == 0, restore.Output);
            Assert.Equal("1", (await http.GetStringAsync(url, TestContext.Current.CancellationToken)).Trim());

            // Beside the original, as a new module with its own guest and the backed-up disk.
            var copy = await Cli.RunAsync(site, "restore", "counter", "--as", "counter2");
            Assert.True(copy.Code == 0, copy.Output);
            var spec2 = JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "guests", "counter2-0", "spec.json"))).RootElement;
            Assert.NotEqual(spec.GetProperty("Address").GetString(), spec2.GetProperty("Address").GetString());
            Assert.Equal("1", (await http.GetStringAsync($"http://{spec2.GetProperty("Address").GetString()}:{spec2.GetProperty("Ports").GetProperty("http").GetInt32()}/count", TestContext.Current.CancellationToken)).Trim());
            Assert.Equal(0, (await Cli.RunAsync(site, "delete", "counter2", "--remove", "--yes")).Code);

            var backups = await Cli.RunAsync(site, "backups", "counter");
            Assert.Contains("last backup ok", backups.Output, StringComparison.Ordinal);
            Assert.Equal(0, (await Cli.RunAsync(site, "test", "counter")).Code); // backup:vm's test: a backup younger than 48 h
        }
        finally
        {
            await Cli.RunAsync(site, "delete", "counter", "--remove", "--yes");
            await EmbeddedSites.RemoveHostObjectsAsync(site);
            Directory.Delete(site, recursive: true);
        }
    }

    [Fact]
    public async Task A_guest_whose_supervisor_was_killed_and_folder_deleted_is_drift_in_plan_and_apply_of_that_plan_repairs_it()
    {
        using var fx = new SiteFixture();
        var site = SiteFixture.EmbeddedSiteFolder();
        try
        {
            await fx.InitEmbeddedAsync(site, "e7", 40);
            fx.HttpModule("drift", 452);
            Assert.Equal(0, (await Cli.RunAsync(site, "install", "cluster", "drift")).Code);
            Assert.Equal(0, (await Cli.RunAsync(site, "plan")).Code); // nothing to do

            // Behind the platform's back: the supervisor and its workload are killed, the guest's folder is deleted.
            var guest = Path.Combine(site, "guests", "drift-0");
            var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(guest, "state.json"))).RootElement;
            using (var kill = System.Diagnostics.Process.Start("kill", ["-9", state.GetProperty("ShimPid").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
                state.GetProperty("WorkloadPid").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            Directory.Delete(guest, recursive: true);

            var planFile = Path.Combine(fx.Root, "repair.plan.json");
            var plan = await Cli.RunAsync(site, "plan", "--out", planFile, "--steps");
            Assert.True(plan.Code == 2, plan.Output); // changes
            Assert.Contains("  + drift/cluster:vm", plan.Output, StringComparison.Ordinal);
            Assert.Contains("\"drift\" is recorded as installed but cluster:vm found no drift (no guest was found) (drift)", plan.Output, StringComparison.Ordinal);
            Assert.Contains("drift/cluster:vm:ServiceInstall", plan.Output, StringComparison.Ordinal);

            var apply = await Cli.RunAsync(site, "apply", planFile);
            Assert.True(apply.Code == 0, apply.Output);
            var repaired = JsonDocument.Parse(File.ReadAllText(Path.Combine(guest, "state.json"))).RootElement;
            Assert.Equal("running", repaired.GetProperty("Status").GetString());
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
            Assert.Contains("Directory listing", await http.GetStringAsync($"http://{repaired.GetProperty("Address").GetString()}:8083/", TestContext.Current.CancellationToken),
                StringComparison.Ordinal);
            Assert.Equal(0, (await Cli.RunAsync(site, "plan")).Code); // repaired: nothing to do
            var again = await Cli.RunAsync(site, "apply", planFile);
            Assert.Equal(1, again.Code); // the saved plan is stale now
            Assert.Contains("stale", again.Output, StringComparison.Ordinal);
        }
        finally
        {
            await Cli.RunAsync(site, "delete", "drift", "--remove", "--yes");
            await EmbeddedSites.RemoveHostObjectsAsync(site);
            Directory.Delete(site, recursive: true);
        }
    }

    private static JsonElement State(string site) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "guests", "kept-0", "state.json"))).RootElement.Clone();
}
