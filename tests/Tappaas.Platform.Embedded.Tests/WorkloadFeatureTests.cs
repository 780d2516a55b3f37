using System.Diagnostics;
using System.Text;
using Tappaas.Abstractions.Secrets;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;

namespace Tappaas.Platform.Embedded.Tests;

/// <summary>Secrets in a guest's environment, disk usage against diskSize, and readiness gating of dependants (loopback guests).</summary>
public sealed class WorkloadFeatureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_secret_reaches_the_guest_environment_but_no_file_of_the_platform()
    {
        await using var h = new EmbeddedHarness();
        var provider = new EmbeddedVmProvider(h.Layout.Root, isolate: false, TimeProvider.System);
        var workload = """{"command": "/bin/sh", "args": ["-c", "printf %s \"$TOKEN\" > $TAPPAAS_DATA/token; echo started; exec sleep 600"], "env": {"TOKEN": "${secret:api-token}"}}""";
        var module = EmbeddedHarness.Module("sec", workload);

        var refused = await h.InstallAsync(provider, module);
        Assert.False(refused.Succeeded);
        Assert.Contains("api-token", refused.Message, StringComparison.Ordinal);
        Assert.Contains("tappaas secret set", refused.Message, StringComparison.Ordinal);

        const string value = "s3cr3t-Value-4711";
        new SiteSecrets(h.Layout.Root).Set("api-token", value);
        var result = await h.InstallAsync(provider, module);
        Assert.True(result.Succeeded, result.Message);
        var token = Path.Combine(h.Layout.Root, "disks", "sec", "token");
        await GuestTests.WaitAsync(() => File.Exists(token) && File.ReadAllText(token) == value, TimeSpan.FromSeconds(10));

        foreach (var file in Directory.GetFiles(Path.Combine(h.Layout.Root, "guests"), "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(value, await File.ReadAllTextAsync(file, Ct), StringComparison.Ordinal);
        }

        Assert.Contains("${secret:api-token}", await File.ReadAllTextAsync(Path.Combine(h.Layout.Root, "guests", "sec-0", "spec.json"), Ct), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(h.Layout.Root, "secrets", "api-token")));
        }
    }

    [Fact]
    public async Task The_daemons_credentials_and_settings_do_not_reach_a_guest()
    {
        // Made-up names under each withheld prefix (TAPPAAS_TOKEN, TAPPAAS_PVE_TOKEN, RESTIC_PASSWORD and the daemon's
        // DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS are real ones), so this test process changes nothing it uses.
        string[] withheld = ["TAPPAAS_TEST_WITHHELD", "RESTIC_TEST_WITHHELD", "DOTNET_SYSTEM_NET_SOCKETS_TEST_WITHHELD"];
        await using var h = new EmbeddedHarness();
        var provider = new EmbeddedVmProvider(h.Layout.Root, isolate: false, TimeProvider.System);
        var module = EmbeddedHarness.Module("envs", """{"command": "/bin/sh", "args": ["-c", "env > $TAPPAAS_DATA/env.tmp && mv $TAPPAAS_DATA/env.tmp $TAPPAAS_DATA/env; exec sleep 600"], "env": {"GREETING": "hello"}}""");
        foreach (var name in withheld)
        {
            Environment.SetEnvironmentVariable(name, "secret");
        }

        try
        {
            Assert.True((await h.InstallAsync(provider, module)).Succeeded);
        }
        finally
        {
            foreach (var name in withheld)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }

        var env = Path.Combine(h.Layout.Root, "disks", "envs", "env");
        await GuestTests.WaitAsync(() => File.Exists(env), TimeSpan.FromSeconds(10));
        var lines = await File.ReadAllLinesAsync(env, Ct);
        Assert.Contains(lines, l => l.StartsWith("PATH=", StringComparison.Ordinal)); // the host's environment otherwise
        Assert.Contains("GREETING=hello", lines); // the module's
        Assert.Contains(lines, l => l.StartsWith("TAPPAAS_MODULE=envs", StringComparison.Ordinal)); // the platform's for the guest
        foreach (var name in withheld)
        {
            Assert.DoesNotContain(lines, l => l.StartsWith(name, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_disk_over_diskSize_is_reported_and_an_event_says_so()
    {
        await using var h = new EmbeddedHarness();
        var provider = new EmbeddedVmProvider(h.Layout.Root, isolate: false, TimeProvider.System);
        var workload = """{"command": "/bin/sh", "args": ["-c", "head -c 300000 /dev/zero > $TAPPAAS_DATA/small; exec sleep 600"], "diskCheckInterval": "100ms"}""";
        var module = EmbeddedHarness.Module("disk", workload, extra: ", \"diskSize\": \"1M\"");
        Assert.True((await h.InstallAsync(provider, module)).Succeeded);
        await GuestTests.WaitAsync(() => provider.Runtime.State("disk-0") is { DiskBytes: >= 300000 }, TimeSpan.FromSeconds(10));
        Assert.False(provider.Runtime.State("disk-0")!.DiskOver);

        var big = Path.Combine(h.Layout.Root, "disks", "disk", "big");
        await File.WriteAllBytesAsync(big, new byte[2 * 1024 * 1024], Ct);
        await GuestTests.WaitAsync(() => provider.Runtime.State("disk-0") is { DiskOver: true }, TimeSpan.FromSeconds(10));
        var events = await File.ReadAllTextAsync(Path.Combine(h.Layout.Root, "guests", "disk-0", "events.log"), Ct);
        Assert.Contains("disk-over", events, StringComparison.Ordinal);
        Assert.Contains("over diskSize 1.0 MiB", events, StringComparison.Ordinal);

        File.Delete(big);
        await GuestTests.WaitAsync(() => provider.Runtime.State("disk-0") is { DiskOver: false }, TimeSpan.FromSeconds(10));
        Assert.Contains("disk-ok", await File.ReadAllTextAsync(Path.Combine(h.Layout.Root, "guests", "disk-0", "events.log"), Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dependant_starts_only_once_the_module_it_depends_on_is_ready()
    {
        await using var h = new EmbeddedHarness();
        var provider = new EmbeddedVmProvider(h.Layout.Root, isolate: false, TimeProvider.System);
        var flag = Path.Combine(h.Layout.Root, "dep-ready");
        await File.WriteAllTextAsync(flag, "", Ct);
        var dep = EmbeddedHarness.Module("gdep", "{\"command\": \"/bin/sleep\", \"args\": [\"600\"], \"health\": {\"readiness\": {\"exec\": {\"command\": [\"test\", \"-f\", \"" + flag + "\"]}, \"interval\": \"100ms\"}}}");
        Assert.True((await h.InstallAsync(provider, dep)).Succeeded);

        File.Delete(flag);
        await GuestTests.WaitAsync(() => provider.Runtime.State("gdep-0") is { Ready: false }, TimeSpan.FromSeconds(10));
        var user = new ModuleDefinition("guser", "guser.json", (JObject)JsonSource.Parse("guser", Encoding.UTF8.GetBytes(
            "{\"vmid\": 401, \"zone0\": \"srvHome\", \"dependsOn\": [\"cluster:vm\", \"gdep:svc\"], \"config\": {\"cluster:vm\": {\"image\": \"x\", \"workload\": {\"command\": \"/bin/sleep\", \"args\": [\"600\"]}}}}")).Root!);
        var install = h.InstallAsync(provider, user);
        await Task.Delay(1500, Ct);
        Assert.False(install.IsCompleted);
        Assert.Null(provider.Runtime.State("guser-0")); // not started while gdep is not ready

        var readyAt = DateTimeOffset.UtcNow;
        await File.WriteAllTextAsync(flag, "", Ct);
        var result = await install;
        Assert.True(result.Succeeded, result.Message);
        Assert.True(provider.Runtime.State("guser-0")!.StartedAt >= readyAt);
    }

    [Fact]
    public async Task Fewer_replicas_remove_the_surplus_guests_and_more_add_them()
    {
        await using var h = new EmbeddedHarness();
        var provider = new EmbeddedVmProvider(h.Layout.Root, isolate: false, TimeProvider.System);
        string Workload(int n) => "{\"command\": \"/bin/sleep\", \"args\": [\"600\"], \"replicas\": " + n + ", \"stopGrace\": \"1s\"}";
        Assert.True((await h.InstallAsync(provider, EmbeddedHarness.Module("many", Workload(3)))).Succeeded);
        Assert.Equal(["many-0", "many-1", "many-2"], provider.Runtime.GuestsOf("many"));
        var first = provider.Runtime.State("many-0")!.WorkloadPid;

        var fewer = await provider.UpdateAsync(h.Request(EmbeddedHarness.Module("many", Workload(1))), Ct);
        Assert.True(fewer.Succeeded, fewer.Message);
        Assert.Contains("removed many-1, many-2", fewer.Output, StringComparison.Ordinal);
        Assert.Equal(["many-0"], provider.Runtime.GuestsOf("many"));
        Assert.False(Directory.Exists(Path.Combine(h.Layout.Root, "guests", "many-2")));
        Assert.Equal(first, provider.Runtime.State("many-0")!.WorkloadPid); // the one that stays is not restarted

        Assert.True((await provider.UpdateAsync(h.Request(EmbeddedHarness.Module("many", Workload(2))), Ct)).Succeeded);
        Assert.Equal(["many-0", "many-1"], provider.Runtime.GuestsOf("many"));
        Assert.Equal("running", provider.Runtime.State("many-1")!.Status);
    }
}
