using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Apply;
using Tappaas.Hooks;
using Tappaas.TestUtilities;

namespace Tappaas.Engine.Tests.Hooks;

/// <summary>The upstream hook contract, checked with real scripts that record their argv, working directory and environment.</summary>
public sealed class HookContractTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Recorder = """
        #!/bin/sh
        out="$TAPPAAS_SITE/record-$(basename "$0" .sh)-$1"
        {
          echo "argc=$#"
          echo "argv=$*"
          echo "cwd=$(pwd)"
          env | grep '^TAPPAAS_' | sort
        } > "$out"
        echo "hello from $(basename "$0")"
        """;

    private static Dictionary<string, string> Record(EngineHarness h, string hook, string module) =>
        File.ReadAllLines(Path.Combine(h.Layout.Root, $"record-{hook}-{module}"))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");

    [Fact]
    public async Task Service_hooks_get_the_consumer_name_its_folder_and_TAPPAAS_variables()
    {
        await using var h = await EngineHarness.CreateAsync();
        var scripts = new[] { "install", "update", "delete", "test" }.Select(op => ($"services/web/{op}-service.sh", Recorder)).ToArray();
        h.Module("provider", """{"description": "p", "version": "1.0", "provides": ["web"]}""", scripts);
        h.Module("consumer", """{"description": "c", "version": "1.0", "dependsOn": ["provider:web"]}""", ("install.sh", Recorder), ("update.sh", Recorder), ("pre-update.sh", Recorder), ("test.sh", Recorder), ("delete.sh", Recorder));

        var flags = new HookFlags { Debug = true, Silent = true };
        var install = await h.Engine.InstallAsync([h.Source("provider"), h.Source("consumer")], new EngineOptions { Flags = flags }, Ct);
        Assert.Equal(ApplyStatus.Succeeded, install.Status);

        var record = Record(h, "install-service", "consumer");
        Assert.Equal("1", record["argc"]);
        Assert.Equal("consumer", record["argv"]);
        Assert.Equal(Path.Combine(h.Sources, "consumer"), record["cwd"]);
        Assert.Equal("1", record["TAPPAAS_DEBUG"]);
        Assert.Equal("1", record["TAPPAAS_SILENT"]);
        Assert.Equal(h.Layout.ConfigDir, record["TAPPAAS_CONFIG_DIR"]);
        Assert.False(record.ContainsKey("TAPPAAS_TEST_DEEP"));
        Assert.Equal("consumer", Record(h, "install", "consumer")["argv"]);
        Assert.Equal(Path.Combine(h.Sources, "consumer"), Record(h, "install", "consumer")["cwd"]);

        h.Module("consumer", """{"description": "c2", "version": "1.1", "dependsOn": ["provider:web"]}""");
        Assert.Equal(ApplyStatus.Succeeded, (await h.Engine.UpdateAsync("consumer", new EngineOptions(), Ct)).Status);
        Assert.Equal("consumer", Record(h, "update-service", "consumer")["argv"]);
        Assert.Equal("consumer", Record(h, "pre-update", "consumer")["argv"]);

        Assert.Equal(OperationStatus.Ok, (await h.Engine.TestAsync("consumer", new HookFlags { TestDeep = true }, Ct)).Status);
        Assert.Equal("1", Record(h, "test-service", "consumer")["TAPPAAS_TEST_DEEP"]);

        await h.Engine.DeleteAsync("consumer", new EngineOptions { Archive = false }, Ct);
        Assert.Equal("consumer", Record(h, "delete-service", "consumer")["argv"]);
        Assert.Contains("hello from install-service", File.ReadAllText(Path.Combine(h.Layout.LogsDir, "consumer.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hooks_see_the_consumers_config_file_while_they_run()
    {
        await using var h = await EngineHarness.CreateAsync();
        h.Module("provider", """{"description": "p", "version": "1.0", "provides": ["web"]}""",
            ("services/web/install-service.sh", "#!/bin/sh\ncp \"$TAPPAAS_CONFIG_DIR/$1.json\" \"$TAPPAAS_SITE/seen.json\"\n"), ("services/web/update-service.sh", "#!/bin/sh\n"));
        h.Module("consumer", """{"description": "c", "version": "1.0", "proxyPort": 8443, "dependsOn": ["provider:web"]}""");
        await h.Engine.InstallAsync([h.Source("provider"), h.Source("consumer")], new EngineOptions(), Ct);
        Assert.Contains("\"proxyPort\": 8443", File.ReadAllText(Path.Combine(h.Layout.Root, "seen.json")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, OperationStatus.Ok)]
    [InlineData(1, OperationStatus.Failed)]
    [InlineData(2, OperationStatus.Fatal)]
    [InlineData(7, OperationStatus.Failed)]
    public async Task Exit_codes_map_to_upstream_meanings(int exit, OperationStatus expected)
    {
        using var dir = new TempDir();
        var script = dir.Write("hook.sh", $"#!/bin/sh\necho out\nexit {exit}\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var result = await new HookRunner(TimeSpan.FromSeconds(10), TimeProvider.System).RunAsync(script, "m", dir.Path, dir.Path, HookFlags.None, Ct);
        Assert.Equal(expected, result.Status);
        Assert.Equal("out\n", result.Output);
        Assert.True(File.GetUnixFileMode(script).HasFlag(UnixFileMode.UserExecute), "the runner makes hooks executable, as upstream's chmod +x does");
    }

    [Fact]
    public async Task A_hook_that_runs_too_long_is_stopped_and_fatal()
    {
        using var dir = new TempDir();
        var script = dir.Write("slow.sh", "#!/bin/sh\nsleep 30\n");
        var started = DateTime.UtcNow;
        var result = await new HookRunner(TimeSpan.FromMilliseconds(300), TimeProvider.System).RunAsync(script, "m", dir.Path, dir.Path, HookFlags.None, Ct);
        Assert.Equal(OperationStatus.Fatal, result.Status);
        Assert.Contains("did not finish", result.Message, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_hook_still_open_for_writing_somewhere_runs_once_it_is_closed()
    {
        using var dir = new TempDir();
        var script = dir.Write("fresh.sh", "#!/bin/sh\necho ran\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // As a process forked by another thread between a write and its own exec holds it: the kernel says "Text file busy".
        var writer = new FileStream(script, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        var run = new HookRunner(TimeSpan.FromSeconds(10), TimeProvider.System).RunAsync(script, "m", dir.Path, dir.Path, HookFlags.None, Ct).AsTask();
        await Task.Delay(150, Ct);
        await writer.DisposeAsync();
        var result = await run;
        Assert.Equal(OperationStatus.Ok, result.Status);
        Assert.Equal("ran\n", result.Output);
    }

    [Fact]
    public async Task Missing_install_hook_is_fatal_and_missing_delete_or_test_hooks_are_skipped()
    {
        using var dir = new TempDir();
        var provider = new HookScriptProvider(dir.Path, new HookRunner(TimeSpan.FromSeconds(5), TimeProvider.System));
        var module = Modules.Parse("c", """{"dependsOn": ["p:web"]}""");
        var request = new ProviderRequest(module, Model.Modules.ServiceRef.Parse("p:web"), dir.Path, dir.Path, HookFlags.None);
        Assert.Equal(OperationStatus.Fatal, (await provider.InstallAsync(request, Ct)).Status);
        Assert.Equal(OperationStatus.Ok, (await provider.DeleteAsync(request, Ct)).Status);
        var test = await provider.TestAsync(request, Ct);
        Assert.True(test.Skipped && test.Succeeded);
        Assert.Contains("p:web has no test-service.sh", test.Output, StringComparison.Ordinal);
    }
}
