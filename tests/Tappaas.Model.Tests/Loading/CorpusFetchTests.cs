using System.Text.Json;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Loading;
using Tappaas.Model.Validation;
using Tappaas.TestUtilities;

namespace Tappaas.Model.Tests.Loading;

/// <summary>
/// scripts/fetch-corpus.sh against a repository in upstream's layout made here (git on disk, no network): only JSON
/// files are taken, Attic/ and hidden folders are left out, hook scripts are known by name only, and what it writes is
/// where the tests look and loads as a corpus.
/// </summary>
public sealed class CorpusFetchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_fetch_script_keeps_json_files_and_hook_names_at_the_pinned_commit()
    {
        using var dir = new TempDir();
        var upstream = Path.Combine(dir.Path, "upstream");
        var app = """{"description": "w", "version": "1.0", "vmid": 300, "dependsOn": ["cluster:vm"], "provides": ["api"]}""";
        dir.Write("upstream/src/apps/web/web.json", app);
        dir.Write("upstream/src/apps/web/install.sh", "#!/bin/sh\necho never copied\n");
        dir.Write("upstream/src/apps/web/services/api/install-service.sh", "#!/bin/sh\n");
        dir.Write("upstream/src/apps/web/services/api/update-service.sh", "#!/bin/sh\n");
        dir.Write("upstream/src/foundation/cluster/cluster.json", """{"description": "c", "version": "1.0", "provides": ["vm"]}""");
        dir.Write("upstream/src/foundation/cluster/services/vm/install-service.sh", "#!/bin/sh\n");
        dir.Write("upstream/src/foundation/cluster/services/vm/update-service.sh", "#!/bin/sh\n");
        dir.Write("upstream/Attic/web/web.json", """{"description": "an old copy"}""");
        dir.Write("upstream/.github/labels.json", "[]");
        dir.Write("upstream/README.md", "# upstream\n");
        await GitAsync(upstream, "init", "-q");
        await GitAsync(upstream, "add", "-A");
        await GitAsync(upstream, "commit", "-q", "-m", "pinned");
        var pinned = (await GitAsync(upstream, "rev-parse", "--short", "HEAD")).Trim();
        dir.Write("upstream/src/apps/web/web.json", """{"description": "a later change"}""");
        await GitAsync(upstream, "commit", "-q", "-am", "later");

        var cache = Path.Combine(dir.Path, "cache");
        var env = new Dictionary<string, string> { ["TAPPAAS_CORPUS_REPO"] = upstream, ["TAPPAAS_CORPUS_COMMIT"] = pinned, ["XDG_CACHE_HOME"] = cache };
        var (code, output) = await ProcessRunner.RunAsync(Path.Combine(RepoPaths.Root, "scripts", "fetch-corpus.sh"), [], environment: env);
        Assert.True(code == 0, output);

        var corpus = Path.Combine(cache, "tappaas", $"corpus-{Corpus.Commit}");
        Assert.True(File.Exists(Path.Combine(corpus, ".complete")), output);
        var files = Directory.GetFiles(corpus, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(corpus, f)).Order(StringComparer.Ordinal);
        Assert.Equal([".complete", "hooks-index.json", "src/apps/web/web.json", "src/foundation/cluster/cluster.json"], files);
        Assert.Equal(app, await File.ReadAllTextAsync(Path.Combine(corpus, "src/apps/web/web.json"), Ct)); // the pinned commit, not the later one

        using var index = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(corpus, "hooks-index.json"), Ct));
        var web = index.RootElement.GetProperty("modules").GetProperty("src/apps/web");
        Assert.Equal(["install.sh"], web.GetProperty("moduleHooks").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["install-service.sh", "update-service.sh"], web.GetProperty("services").GetProperty("api").EnumerateArray().Select(e => e.GetString()));

        // Loaded as a corpus, the hook names stand in for the scripts: both providers are complete, nothing is missing.
        var workspace = WorkspaceLoader.Load([corpus]);
        Assert.Equal(["cluster", "web"], workspace.Modules.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(WorkspaceValidator.Validate(workspace).Diagnostics, d => d.Code == DiagnosticCodes.ServiceHooksMissing);

        var again = await ProcessRunner.RunAsync(Path.Combine(RepoPaths.Root, "scripts", "fetch-corpus.sh"), [], environment: env);
        Assert.Contains("already at", again.Output, StringComparison.Ordinal);

        var wrong = await ProcessRunner.RunAsync(Path.Combine(RepoPaths.Root, "scripts", "fetch-corpus.sh"), ["--force"],
            environment: new Dictionary<string, string>(env) { ["TAPPAAS_CORPUS_COMMIT"] = "0000000" });
        Assert.Equal(1, wrong.Code);
        Assert.Contains("has no commit 0000000", wrong.Output, StringComparison.Ordinal);
    }

    private static async Task<string> GitAsync(string repo, params string[] args)
    {
        var (code, output) = await ProcessRunner.RunAsync("git", ["-c", "user.name=test", "-c", "user.email=test@example.org", "-C", repo, .. args]);
        Assert.True(code == 0, output);
        return output;
    }
}
