using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tappaas.Abstractions.Secrets;

namespace Tappaas.Daemon.Tests;

/// <summary>The REST API: tokens and roles, problem details, the module and event views, OpenAPI, and no secret in any output.</summary>
public sealed class ApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Health_needs_no_token_everything_else_does()
    {
        await using var h = await DaemonHarness.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await h.Client().GetAsync("/api/v1/health", Ct)).StatusCode);

        var anonymous = await h.Client().GetAsync("/api/v1/modules", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, (await h.Client("tpk_not-a-token").GetAsync("/api/v1/modules", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await h.Client(h.AdminToken).GetAsync("/api/v1/modules", Ct)).StatusCode);
    }

    [Fact]
    public async Task Roles_decide_who_may_change_things_and_tokens_are_stored_hashed()
    {
        await using var h = await DaemonHarness.StartAsync();
        var created = await h.Client(h.AdminToken).PostAsJsonAsync("/api/v1/tokens", new { name = "dashboard", role = "viewer" }, Ct);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var viewer = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("token").GetString()!;

        Assert.Equal(HttpStatusCode.OK, (await h.Client(viewer).GetAsync("/api/v1/modules", Ct)).StatusCode);
        var forbidden = await h.Client(viewer).PostAsync("/api/v1/modules/app/backup", null, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, (await h.Client(viewer).PostAsJsonAsync("/api/v1/tokens", new { name = "x", role = "admin" }, Ct)).StatusCode);

        var bad = await h.Client(h.AdminToken).PostAsJsonAsync("/api/v1/tokens", new { name = "x", role = "root" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("viewer, operator or admin", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        var file = await File.ReadAllTextAsync(Path.Combine(h.Layout.Root, "secrets", "tokens.json"), Ct);
        Assert.DoesNotContain(viewer, file, StringComparison.Ordinal);
        Assert.DoesNotContain(h.AdminToken, file, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(h.Layout.Root, "secrets", "tokens.json")));
    }

    [Fact]
    public async Task The_first_token_is_shown_once()
    {
        await using var h = await DaemonHarness.StartAsync();
        Assert.StartsWith("tpk_", h.AdminToken, StringComparison.Ordinal);
        await h.RestartAsync();
        Assert.Equal("", h.Announced);
        Assert.Equal(HttpStatusCode.OK, (await h.Client(h.AdminToken).GetAsync("/api/v1/modules", Ct)).StatusCode); // still valid after a restart
    }

    [Fact]
    public async Task Status_is_sent_gzip_compressed_to_a_caller_that_takes_it_and_plain_to_one_that_does_not()
    {
        await using var h = await DaemonHarness.StartAsync();
        await h.Session.Store.SaveModuleAsync("app", """{"vmid": 400}""", "installed", "test", Ct);
        var client = h.Client(h.AdminToken);

        async Task<HttpResponseMessage> Get(string? encoding)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/status");
            if (encoding is not null)
            {
                request.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);
            }

            return await client.SendAsync(request, Ct);
        }

        var plain = await Get(null);
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", plain.Headers.Vary);
        var json = await plain.Content.ReadAsStringAsync(Ct);
        Assert.Equal("app", JsonDocument.Parse(json).RootElement.GetProperty("modules")[0].GetProperty("name").GetString());

        var compressed = await Get("br;q=1.0, gzip;q=0.8");
        Assert.Equal(["gzip"], compressed.Content.Headers.ContentEncoding);
        await using var gzip = new System.IO.Compression.GZipStream(await compressed.Content.ReadAsStreamAsync(Ct), System.IO.Compression.CompressionMode.Decompress);
        Assert.Equal(json, await new StreamReader(gzip).ReadToEndAsync(Ct));

        Assert.Empty((await Get("gzip;q=0")).Content.Headers.ContentEncoding); // refused explicitly
    }

    [Fact]
    public async Task A_status_read_is_reused_only_while_nothing_changed_and_sees_a_commit_from_another_connection()
    {
        await using var h = await DaemonHarness.StartAsync();
        await h.Session.Store.SaveModuleAsync("app", """{"vmid": 400}""", "installed", "test", Ct);
        var client = h.Client(h.AdminToken);
        var cache = h.Service<Api.StatusCache>();
        async Task<string[]> Modules() =>
            [.. JsonDocument.Parse(await client.GetStringAsync("/api/v1/status", Ct)).RootElement.GetProperty("modules").EnumerateArray().Select(m => m.GetProperty("name").GetString()!)];

        Assert.Equal(["app"], await Modules());
        var reads = cache.FullReads;
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(["app"], await Modules()); // one after another: each a fresh read, none finding a change
        }

        Assert.Equal(reads, cache.FullReads);

        // Another connection to the store (as the CLI of another process would have) commits: the next read sees it.
        await using (var other = new State.SqliteStateStore(h.Layout.StatePath, TimeProvider.System))
        {
            await other.SaveModuleAsync("web", """{"vmid": 401}""", "installed", "test", Ct);
        }

        Assert.Equal(["app", "web"], await Modules());
        Assert.Equal(reads + 1, cache.FullReads);

        // So does a commit of the daemon's own store; after it, nothing changed again.
        await h.Session.Store.RemoveModuleAsync("app", Ct);
        Assert.Equal(["web"], await Modules());
        Assert.Equal(reads + 2, cache.FullReads);
        Assert.Equal(["web"], await Modules());
        Assert.Equal(reads + 2, cache.FullReads);
    }

    [Fact]
    public async Task A_secret_set_on_a_module_never_appears_in_any_output()
    {
        await using var h = await DaemonHarness.StartAsync();
        const string value = "hunter2-Very-Secret-7731";
        new SiteSecrets(h.Layout.Root).Set("db-password", value);
        await h.Session.Store.SaveModuleAsync("app", """{"vmid": 400, "config": {"cluster:vm": {"workload": {"command": "/bin/true", "env": {"DB_PASSWORD": "${secret:db-password}"}}}}}""", "installed", "test", Ct);
        await h.Session.Store.AppendEventAsync("app", "installed", "app installed", Ct);

        var client = h.Client(h.AdminToken);
        var outputs = new List<string>();
        foreach (var path in new[] { "/api/v1/modules", "/api/v1/modules/app", "/api/v1/modules/app/history", "/api/v1/events", "/api/v1/openapi.json" })
        {
            var response = await client.GetAsync(path, Ct);
            Assert.True(response.IsSuccessStatusCode, path);
            outputs.Add(await response.Content.ReadAsStringAsync(Ct));
        }

        Assert.Contains("${secret:db-password}", outputs[1], StringComparison.Ordinal);
        Assert.All(outputs, o => Assert.DoesNotContain(value, o, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_modules_are_404_problems_and_the_openapi_document_lists_the_routes()
    {
        await using var h = await DaemonHarness.StartAsync();
        var missing = await h.Client(h.AdminToken).GetAsync("/api/v1/modules/nope", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var problem = await missing.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("no such module", problem.GetProperty("title").GetString());
        Assert.Contains("nope", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var openapi = await h.Client().GetStringAsync("/api/v1/openapi.json", Ct);
        Assert.Contains("/api/v1/modules/{name}", openapi, StringComparison.Ordinal);
        Assert.Contains("/api/v1/events/stream", openapi, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_event_stream_delivers_new_events()
    {
        await using var h = await DaemonHarness.StartAsync();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        using var response = await h.Client(h.AdminToken).GetAsync("/api/v1/events/stream", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        await h.Session.Store.AppendEventAsync("app", "backup", "snapshot 1234 saved", cts.Token);
        string? line;
        while ((line = await reader.ReadLineAsync(cts.Token)) is not null && !line.StartsWith("data: ", StringComparison.Ordinal))
        {
        }

        Assert.NotNull(line);
        Assert.Contains("snapshot 1234 saved", line, StringComparison.Ordinal);
    }
}
