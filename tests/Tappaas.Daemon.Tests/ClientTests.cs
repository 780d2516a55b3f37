using Tappaas.Client;

namespace Tappaas.Daemon.Tests;

/// <summary>The typed client against the daemon: what the CLI relies on — values, problems with their diagnostics and hints, live progress.</summary>
public sealed class ClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Cluster = """{"description": "cluster", "version": "1.0", "provides": ["vm"]}""";

    private static string App(int cores) =>
        "{\"description\": \"app\", \"version\": \"1.0\", \"vmid\": 300, \"zone0\": \"srvHome\", \"dependsOn\": [\"cluster:vm\"], \"config\": {\"cluster:vm\": {\"image\": \"8080\", \"cores\": " + cores + "}}}";

    [Fact]
    public async Task Install_in_one_run_status_history_journal_and_rollback_through_the_typed_client()
    {
        await using var h = await DaemonHarness.StartAsync();
        h.Release("cluster", Cluster);
        h.Release("app", App(2));
        using var api = h.Api(h.AdminToken);

        var installed = await api.InstallAsync(["app", "cluster"], false, Ct);
        Assert.True(installed.Ok, installed.Problem?.ToString());
        var run = installed.Value!.RunId!.Value;

        var status = (await api.StatusAsync(Ct)).Value!;
        Assert.Equal(["app", "cluster"], status.Modules.Select(m => m.Name).Order());
        Assert.Equal(run, status.Runs[0].Id);
        Assert.Equal("install", status.Runs[0].Command);
        Assert.Null(status.Locked);

        // One run installed both, providers first: the journal shows cluster's commit before app's.
        var journal = (await api.JournalAsync(run, Ct)).Value!;
        var commits = journal.Where(s => s.Phase == "completed" && s.Address.EndsWith(":Commit", StringComparison.Ordinal)).Select(s => s.Address).ToList();
        Assert.Equal(["cluster:Commit", "app:Commit"], commits);

        h.Release("app", App(4));
        Assert.True((await api.UpdateAsync("app", false, false, Ct)).Ok);
        var rolledBack = await api.RollbackAsync("app", null, Ct);
        Assert.True(rolledBack.Ok, rolledBack.Problem?.ToString());
        var history = (await api.HistoryAsync("app", Ct)).Value!;
        Assert.Equal([1, 2, 3], history.Select(r => r.Revision));
        Assert.Contains("\"cores\": 2", (await api.ModuleAsync("app", Ct)).Value!.Definition!.ToJsonString().Replace(":", ": ", StringComparison.Ordinal), StringComparison.Ordinal);

        Assert.Equal(404, (await api.JournalAsync(run + 100, Ct)).Problem!.Status);

        // Promote re-applies the installed definition through every provider (the guest provider replaces canaries).
        var promoted = (await api.PromoteAsync("app", Ct)).Value!;
        var steps = (await api.JournalAsync(promoted.RunId!.Value, Ct)).Value!;
        Assert.Contains(steps, s => s is { Address: "app/cluster:vm:ServiceUpdate", Phase: "completed" });
        Assert.Equal(3, (await api.HistoryAsync("app", Ct)).Value!.Count); // the definition did not change: no new revision
    }

    [Fact]
    public async Task Zones_and_nodes_describe_the_site_and_this_host()
    {
        await using var h = await DaemonHarness.StartAsync();
        using var api = h.Api(h.AdminToken);

        var zones = (await api.ZonesAsync(Ct)).Value!;
        var srvHome = Assert.Single(zones, z => z.Name == "srvHome");
        Assert.Equal(210, srvHome.Vlan);
        Assert.StartsWith("10.2.10.", srvHome.Ip, StringComparison.Ordinal);

        var node = Assert.Single((await api.NodesAsync(Ct)).Value!);
        Assert.Equal(Environment.ProcessorCount, node.Cpus);
        Assert.True(node.MemoryMiB > 0 && node.MemoryAvailableMiB <= node.MemoryMiB, $"{node.MemoryAvailableMiB} of {node.MemoryMiB}");
        Assert.Equal(0, node.Guests);
    }

    [Fact]
    public async Task Problems_carry_their_status_diagnostics_and_a_hint_and_change_nothing()
    {
        await using var h = await DaemonHarness.StartAsync();
        h.Release("cluster", Cluster);
        h.Release("bad", """{"description": "bad", "version": "1.0", "vmid": 300, "zone0": "srvHome", "memory": 64, "dependsOn": ["cluster:vm"]}""");
        using var admin = h.Api(h.AdminToken);
        Assert.True((await admin.InstallAsync(["cluster"], false, Ct)).Ok);

        var invalid = (await admin.InstallAsync(["bad"], false, Ct)).Problem!;
        Assert.Equal(400, invalid.Status);
        Assert.Contains(invalid.Diagnostics, d => d.Code == "TAP0105" && d.Hint.Contains("512", StringComparison.Ordinal));
        Assert.Equal(404, (await admin.ModuleAsync("bad", Ct)).Problem!.Status);

        var unknown = (await admin.InstallAsync(["nosuch"], false, Ct)).Problem!;
        Assert.Equal(404, unknown.Status);
        Assert.Contains("nosuch", unknown.Detail, StringComparison.Ordinal);

        using var stranger = h.Api("tpk_not-a-token");
        var refused = (await stranger.StatusAsync(Ct)).Problem!;
        Assert.Equal(401, refused.Status);
        Assert.Contains("TAPPAAS_TOKEN", refused.Detail, StringComparison.Ordinal);

        var created = await h.Client(h.AdminToken).PostAsync("/api/v1/tokens", new StringContent("""{"name": "v", "role": "viewer"}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        var viewerToken = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("token").GetString();
        using var viewer = h.Api(viewerToken);
        Assert.True((await viewer.StatusAsync(Ct)).Ok);
        var forbidden = (await viewer.ScaleAsync("cluster", 2, Ct)).Problem!;
        Assert.Equal(403, forbidden.Status);
        Assert.Contains("operators", forbidden.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_progress_stream_delivers_every_step_of_a_run_started_after_subscribing()
    {
        await using var h = await DaemonHarness.StartAsync();
        h.Release("cluster", Cluster);
        h.Release("app", App(2));
        using var api = h.Api(h.AdminToken);
        Assert.True((await api.InstallAsync(["cluster"], false, Ct)).Ok); // history: not replayed to a new subscriber

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var steps = await api.OpenProgressAsync(stop.Token);
        Assert.NotNull(steps);
        var received = new List<ProgressV1>();
        var reading = Task.Run(async () =>
        {
            await foreach (var s in steps!)
            {
                received.Add(s);
                if (s is { Phase: "completed", Address: "app:Commit" })
                {
                    break;
                }
            }
        }, Ct);

        var run = (await api.InstallAsync(["app"], false, Ct)).Value!.RunId;
        await reading.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await stop.CancelAsync();

        Assert.All(received, s => Assert.Equal(run, s.RunId));
        var journal = (await api.JournalAsync(run!.Value, Ct)).Value!;
        Assert.Equal(journal.Select(s => (s.Step, s.Phase)), received.Select(s => (s.Step, s.Phase)));
    }
}
