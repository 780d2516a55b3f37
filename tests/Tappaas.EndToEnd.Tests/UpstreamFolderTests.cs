using Tappaas.TestUtilities;

namespace Tappaas.EndToEnd.Tests;

/// <summary>
/// The CLI against upstream-shaped material written here: a config folder as upstream's tools leave it (a variant copy,
/// an archived module, baselines and every sidecar kind) imported and exported byte for byte, the variant then planned
/// and updated by name; files that hold no object; an order that does not exist; and zones checked inside a site.
/// </summary>
public sealed class UpstreamFolderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_upstream_config_folder_survives_import_and_export_byte_for_byte_and_its_variant_updates_by_name()
    {
        using var dir = new TempDir();
        var repository = Path.Combine(dir.Path, "repository");
        void Write(string path, string text, bool executable = false)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            if (executable)
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        // The releases, with the cluster's vm service as hook scripts that log their calls.
        Write(Path.Combine(repository, "cluster", "cluster.json"), """{"description": "cluster", "version": "1.0", "provides": ["vm"]}""");
        foreach (var hook in new[] { "install", "update", "delete" })
        {
            Write(Path.Combine(repository, "cluster", "services", "vm", $"{hook}-service.sh"), $"#!/bin/sh\necho \"{hook} $1\" >> \"$TAPPAAS_SITE/vm-calls\"\n", executable: true);
        }

        const string Cons = """
            {
              "description": "consumer",
              "version": "1.0",
              "vmid": 320,
              "vmname": "cons",
              "zone0": "srvHome",
              "dependsOn": ["cluster:vm"],
              "config": {"cluster:vm": {"image": "8080", "cores": 2}}
            }
            """;
        Write(Path.Combine(repository, "cons", "cons.json"), Cons);

        // The config folder, as upstream's install-module.sh, install --variant dev and delete --archive leave it (not canonical on purpose).
        var config = Path.Combine(dir.Path, "upstream-config");
        string Loc(string module) => Path.Combine(repository, module);
        var files = new Dictionary<string, string>
        {
            ["configuration.json"] = """{"tappaas": {"version": "0.5", "domain": "example.org", "email": "ops@example.org", "nodeCount": 1, "repositories": []}, "tappaas-nodes": [{"hostname": "tappaas1", "ip": "10.0.0.10"}]}""",
            ["zones.json"] = ZonesJson,
            ["zones.json.orig"] = ZonesJson,
            ["cluster.json"] = "{\"description\":\"cluster\",\"version\":\"1.0\",\"provides\":[\"vm\"],\"location\":\"" + Loc("cluster") + "\"}\n",
            ["cluster.json.orig"] = """{"description": "cluster", "version": "1.0", "provides": ["vm"]}""",
            ["cons.json"] = Cons.Replace("\"vmid\": 320,", "\"vmid\": 320,\n  \"location\": \"" + Loc("cons") + "\",", StringComparison.Ordinal),
            ["cons.json.orig"] = Cons,
            ["cons-dev.json"] = Cons.Replace("\"vmid\": 320,", "\"vmid\": 321,\n  \"variant\": \"dev\",\n  \"location\": \"" + Loc("cons") + "\",", StringComparison.Ordinal)
                .Replace("\"vmname\": \"cons\"", "\"vmname\": \"cons-dev\"", StringComparison.Ordinal),
            ["cons-dev.json.orig"] = Cons,
            ["cons.meta.json"] = """{"lxcOptions": {"unprivileged": 1, "features": "nesting=1"}}""",
            ["old.json"] = """{"description": "retired", "version": "0.9", "vmid": 330, "zone0": "srvHome", "dependsOn": ["cluster:vm"], "status": "archived", "config": {"cluster:vm": {"image": "x"}}}""",
            ["remote-offsite.json"] = """{"description": "the second site's backup server", "version": "1.0", "host": "pbs2.example.org"}""",
            ["external-usb.json"] = """{"description": "a disk by the door", "version": "1.0", "device": "/dev/sdz"}""",
            ["firewall/sequence-map.json"] = """{"cons": 1200, "cons-dev": 1210}""",
            ["notes.txt"] = "what the operator wrote down\n",
        };
        foreach (var (name, text) in files)
        {
            Write(Path.Combine(config, name), text);
        }

        var site = Path.Combine(dir.Path, "site");
        Assert.Equal(0, (await Cli.RunAsync(site, "init", "--repository", repository)).Code);
        var import = await Cli.RunAsync(site, "import", config);
        Assert.True(import.Code == 0, import.Output);
        Assert.Contains("recorded cons-dev (installed)", import.Output, StringComparison.Ordinal);
        Assert.Contains("recorded old (archived)", import.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("recorded remote-offsite", import.Output, StringComparison.Ordinal); // a backup source, not a module
        Assert.Contains("notes.txt is not a file TAPPaaS knows", import.Output, StringComparison.Ordinal);
        Assert.Contains("import: done", import.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("(run )", import.Output, StringComparison.Ordinal);

        var exported = Path.Combine(dir.Path, "exported");
        Assert.Equal(0, (await Cli.RunAsync(site, "export", exported)).Code);
        Assert.Equal(files.Keys.Order(StringComparer.Ordinal),
            Directory.GetFiles(exported, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(exported, f)).Order(StringComparer.Ordinal));
        Assert.All(files.Keys, name => Assert.Equal(File.ReadAllBytes(Path.Combine(config, name)), File.ReadAllBytes(Path.Combine(exported, name))));

        // The variant by its name: planned and updated from its module's release (cons.json), keeping its own fields.
        Assert.Equal(0, (await Cli.RunAsync(site, "plan", "cons-dev")).Code);
        Write(Path.Combine(repository, "cons", "cons.json"), Cons.Replace("\"cores\": 2", "\"cores\": 4", StringComparison.Ordinal));
        var plan = await Cli.RunAsync(site, "plan", "cons-dev");
        Assert.True(plan.Code == 2, plan.Output);
        Assert.Contains("cores changed from 2 to 4", plan.Output, StringComparison.Ordinal);
        var update = await Cli.RunAsync(site, "update", "cons-dev", "--no-snapshot");
        Assert.True(update.Code == 0, update.Output);
        var recorded = SiteFixture.Modules_(site)["cons-dev"].Definition;
        Assert.Contains("\"vmname\": \"cons-dev\"", recorded, StringComparison.Ordinal);
        Assert.Contains("\"cores\": 4", recorded, StringComparison.Ordinal);
        Assert.Contains("update cons-dev", await File.ReadAllTextAsync(Path.Combine(site, "vm-calls"), Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1, 2]", "an array")]
    [InlineData("\"just text\"", "a string")]
    [InlineData("null", "null")]
    public async Task Install_and_plan_of_a_file_that_holds_no_object_say_what_it_holds(string content, string kind)
    {
        using var fx = new SiteFixture();
        await fx.InitAsync();
        var file = Path.Combine(fx.Root, "bad", "bad.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, content, Ct);
        foreach (var command in new[] { "install", "plan" })
        {
            var (code, output) = await Cli.RunAsync(fx.Site, command, file);
            Assert.Equal(2, code);
            Assert.Contains($"error: TAP0008 {file}:1:1: the file holds {kind}; a module file is a JSON object", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Order_prints_no_order_when_there_is_none()
    {
        using var dir = new TempDir();
        dir.Write("alpha/alpha.json", """{"description": "a", "version": "1.0", "dependsOn": ["beta:x"], "provides": ["x"]}""");
        dir.Write("beta/beta.json", """{"description": "b", "version": "1.0", "dependsOn": ["alpha:x"], "provides": ["x"]}""");
        dir.Write("gamma/gamma.json", """{"description": "g", "version": "1.0", "dependsOn": ["nosuch:vm"]}""");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet", [Cli.Dll, "order", dir.Path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var order = System.Diagnostics.Process.Start(psi)!;
        var stdout = await order.StandardOutput.ReadToEndAsync(Ct);
        var stderr = await order.StandardError.ReadToEndAsync(Ct);
        await order.WaitForExitAsync(Ct);
        Assert.Equal(1, order.ExitCode);
        Assert.Equal("", stdout.Trim());
        Assert.Contains("TAP0303", stderr, StringComparison.Ordinal); // the cycle
        Assert.Contains("TAP0301", stderr, StringComparison.Ordinal); // the missing provider
    }

    [Fact]
    public async Task Validate_checks_zones_against_the_site_and_says_plainly_when_it_could_not()
    {
        using var fx = new SiteFixture();
        await fx.InitAsync();
        var module = Path.Combine(fx.Root, "lost", "lost.json");
        Directory.CreateDirectory(Path.GetDirectoryName(module)!);
        await File.WriteAllTextAsync(module, """{"description": "l", "version": "1.0", "vmid": 340, "zone0": "nowhere", "dependsOn": ["cluster:vm"], "config": {"cluster:vm": {"image": "x"}}}""", Ct);

        var outside = await ProcessRunner.RunAsync("dotnet", [Cli.Dll, "validate", module], environment: new Dictionary<string, string> { ["TAPPAAS_SITE"] = "" });
        Assert.Equal(0, outside.Code);
        Assert.Contains("warning TAP0120", outside.Output, StringComparison.Ordinal);
        Assert.Contains("zones were not checked", outside.Output, StringComparison.Ordinal);
        Assert.Contains("lost (nowhere)", outside.Output, StringComparison.Ordinal);

        var inside = await Cli.RunAsync(fx.Site, "validate", module);
        Assert.Equal(1, inside.Code);
        Assert.Contains("TAP0116", inside.Output, StringComparison.Ordinal);
        Assert.Contains("nowhere", inside.Output, StringComparison.Ordinal);
        var byEnvironment = await ProcessRunner.RunAsync("dotnet", [Cli.Dll, "validate", module], environment: new Dictionary<string, string> { ["TAPPAAS_SITE"] = fx.Site });
        Assert.Equal(1, byEnvironment.Code);
    }

    private const string ZonesJson = """
        {
          "mgmt": {"type": "Management", "state": "Manual", "typeId": 0, "subId": 0, "vlantag": 0, "ip": "10.0.0.0/24", "bridge": "LAN", "access-to": ["all"]},
          "srvHome": {"type": "Service", "state": "Active", "typeId": 2, "subId": 10, "vlantag": 210, "ip": "10.2.10.0/24", "bridge": "lan", "access-to": ["internet"]}
        }
        """;
}
