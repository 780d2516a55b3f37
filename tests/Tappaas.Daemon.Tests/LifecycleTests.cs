using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tappaas.Abstractions.State;

namespace Tappaas.Daemon.Tests;

/// <summary>Install, update, delete, plan and apply through the API, with the statuses operators and tools rely on.</summary>
public sealed class LifecycleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Cluster = """{"description": "cluster", "version": "1.0", "provides": ["vm"]}""";

    private static string App(int cores) =>
        "{\"description\": \"app\", \"version\": \"1.0\", \"vmid\": 300, \"zone0\": \"srvHome\", \"dependsOn\": [\"cluster:vm\"], \"config\": {\"cluster:vm\": {\"image\": \"8080\", \"cores\": " + cores + "}}}";

    [Fact]
    public async Task Install_update_and_delete_through_the_api()
    {
        await using var h = await DaemonHarness.StartAsync();
        h.Release("cluster", Cluster);
        h.Release("app", App(2));
        var admin = h.Client(h.AdminToken);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/modules/cluster/install", null, Ct)).StatusCode);
        var installed = await admin.PostAsync("/api/v1/modules/app/install", null, Ct);
        Assert.Equal(HttpStatusCode.OK, installed.StatusCode);
        Assert.Equal("Succeeded", (await installed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());
        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>("/api/v1/modules/app", Ct)).GetProperty("revision").GetInt32());

        h.Release("app", App(4));
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/modules/app/update", null, Ct)).StatusCode);
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>("/api/v1/modules/app", Ct)).GetProperty("revision").GetInt32());

        // The metrics read the store at most once a quarter second (and other daemons of this test process scrape the
        // same meter): the update shows within a few reads.
        const string updated = "tappaas_apply_last_duration_seconds\\{command=\"update\",status=\"succeeded\"\\} [0-9.]+";
        var metrics = await admin.GetStringAsync("/metrics", Ct);
        for (var i = 0; i < 150 && !System.Text.RegularExpressions.Regex.IsMatch(metrics, updated); i++)
        {
            await Task.Delay(100, Ct);
            metrics = await admin.GetStringAsync("/metrics", Ct);
        }

        Assert.Matches(updated, metrics);

        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync("/api/v1/modules/app?remove=true", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/modules/app", Ct)).StatusCode);
    }

    [Fact]
    public async Task An_invalid_definition_is_a_400_with_its_diagnostics_and_changes_nothing()
    {
        await using var h = await DaemonHarness.StartAsync();
        h.Release("cluster", Cluster);
        h.Release("bad", """{"description": "bad", "version": "1.0", "vmid": "many", "zone0": "srvHome", "dependsOn": ["cluster:vm"], "config": {"cluster:vm": {"image": "8080"}}}""");
        var admin = h.Client(h.AdminToken);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/modules/cluster/install", null, Ct)).StatusCode);

        var response = await admin.PostAsync("/api/v1/modules/bad/install", null, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains(problem.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("message").GetString()!.Contains("vmid", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/modules/bad", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_locked_site_is_a_409_and_a_stale_plan_a_412()
    {
        await using var h = await DaemonHarness.StartAsync();
        h.Release("cluster", Cluster);
        h.Release("app", App(2));
        var admin = h.Client(h.AdminToken);

        var plan = await (await admin.PostAsJsonAsync("/api/v1/plan", new { modules = new[] { "cluster" } }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var revision = plan.GetProperty("stateRevision").GetInt64();
        Assert.Contains(plan.GetProperty("changes").EnumerateArray(), c => c.GetProperty("address").GetString() == "cluster");

        // Another process holds the site's lock.
        var now = DateTimeOffset.UtcNow;
        Assert.Null(await h.Session.Store.TryAcquireLockAsync(new LockHolder("other", "elsewhere", 4242, "install", now, now.AddMinutes(5)), _ => false, Ct));
        var locked = await admin.PostAsync("/api/v1/modules/cluster/install", null, Ct);
        Assert.Equal(HttpStatusCode.Conflict, locked.StatusCode);
        Assert.Contains("4242", await locked.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        await h.Session.Store.ReleaseLockAsync("other", Ct);

        // Something is applied after the plan was made: applying the plan is refused.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/modules/cluster/install", null, Ct)).StatusCode);
        var stale = await admin.PostAsJsonAsync("/api/v1/apply", new { stateRevision = revision, run = plan.GetProperty("run") }, Ct);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);

        // A plan carries the run that applies it, step by step; applying hands it back unchanged.
        var fresh = await (await admin.PostAsJsonAsync("/api/v1/plan", new { modules = new[] { "app" } }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var steps = fresh.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("address").GetString()).ToList();
        Assert.Contains("app:install.sh", steps);
        var applied = await admin.PostAsJsonAsync("/api/v1/apply", new { stateRevision = fresh.GetProperty("stateRevision").GetInt64(), run = fresh.GetProperty("run") }, Ct);
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        var runId = (await applied.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("runId").GetInt64();
        var journal = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}/journal", Ct);
        Assert.Equal(steps, journal.EnumerateArray().Where(j => j.GetProperty("phase").GetString() == "completed").Select(j => j.GetProperty("address").GetString()).ToList());
    }
}
