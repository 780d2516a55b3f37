using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Tappaas.Daemon.Tests;

/// <summary>Requests the API cannot read answer 400 naming the field or position, and change nothing.</summary>
public sealed class RequestProblemTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, string Detail)> PostAsync(DaemonHarness h, string path, string body)
    {
        var answer = await h.Client(h.AdminToken).PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var problem = answer.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? (await answer.Content.ReadFromJsonAsync<JsonElement>(Ct)).TryGetProperty("detail", out var d) ? d.GetString() ?? "" : ""
            : "";
        return (answer.StatusCode, problem);
    }

    [Fact]
    public async Task A_missing_or_null_required_field_or_malformed_json_is_a_400_that_says_where()
    {
        await using var h = await DaemonHarness.StartAsync();
        var runs = (await h.Session.Store.ListAppliesAsync(100, Ct)).Count;

        // {} once scaled a module to 0: a missing replicas was read as 0.
        var (status, detail) = await PostAsync(h, "/api/v1/modules/app/scale", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("'replicas'", detail, StringComparison.Ordinal);

        (status, detail) = await PostAsync(h, "/api/v1/modules/app/scale", """{"replicas": null}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("$.replicas", detail, StringComparison.Ordinal);

        (status, detail) = await PostAsync(h, "/api/v1/modules/app/scale", """{"replicas": 2""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("BytePositionInLine", detail, StringComparison.Ordinal);

        (status, detail) = await PostAsync(h, "/api/v1/install", """{"modules": null}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("$.modules is required", detail, StringComparison.Ordinal);

        var events = await h.Client(h.AdminToken).GetAsync("/api/v1/events?after=abc", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, events.StatusCode);
        Assert.Contains("after", await events.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        Assert.Equal(runs, (await h.Session.Store.ListAppliesAsync(100, Ct)).Count);

        // Optional fields stay optional: {} asks rollback for the previous revision (here: there is no module "app").
        (status, _) = await PostAsync(h, "/api/v1/modules/app/rollback", "{}");
        Assert.NotEqual(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Backup_restore_and_verify_of_a_module_that_is_not_installed_are_404()
    {
        await using var h = await DaemonHarness.StartAsync();
        foreach (var path in new[] { "/api/v1/modules/nosuch/backup", "/api/v1/modules/nosuch/restore", "/api/v1/modules/nosuch/backup/verify" })
        {
            var (status, detail) = await PostAsync(h, path, "");
            Assert.True(status == HttpStatusCode.NotFound, $"{path}: {status} {detail}");
            Assert.Contains("nosuch", detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_state_store_that_fails_under_the_running_daemon_answers_503_saying_what_to_do()
    {
        await using var h = await DaemonHarness.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await h.Client(h.AdminToken).GetAsync("/api/v1/modules", Ct)).StatusCode);

        // The file replaced by something that is no database (its open connections closed, so the next one reads it).
        var store = Path.Combine(h.Layout.Root, "state.db");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(store + "-wal");
        File.Delete(store + "-shm");
        File.WriteAllBytes(store, [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 31 + 7))]);

        var answer = await h.Client(h.AdminToken).GetAsync("/api/v1/modules", Ct);
        var body = await answer.Content.ReadAsStringAsync(Ct);
        Assert.True(answer.StatusCode == HttpStatusCode.ServiceUnavailable, $"{answer.StatusCode} {body}");
        Assert.Contains($"the state store {store} is damaged", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
