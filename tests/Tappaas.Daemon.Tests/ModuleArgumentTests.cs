using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tappaas.Client;

namespace Tappaas.Daemon.Tests;

/// <summary>
/// Over the API a module is a name found in the site's repositories, or a folder sent in the request: never a path of the
/// daemon's host, and a name is checked before it names a file, reaches a message or the event log.
/// </summary>
public sealed class ModuleArgumentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Cluster = """{"description": "cluster", "version": "1.0", "provides": ["vm"]}""";

    private const string Counter = """{"description": "counter", "version": "1.0"}""";

    private static async Task<(HttpStatusCode Status, string Detail)> PostAsync(DaemonHarness h, string path, object body)
    {
        var answer = await h.Client(h.AdminToken).PostAsJsonAsync(path, body, Ct);
        var text = await answer.Content.ReadAsStringAsync(Ct);
        var detail = answer.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString() ?? "" : text;
        return (answer.StatusCode, detail);
    }

    [Fact]
    public async Task Host_paths_and_names_that_are_no_module_names_are_a_400_naming_the_entry_and_change_nothing()
    {
        await using var h = await DaemonHarness.StartAsync();
        h.Release("cluster", Cluster);

        // A real module in a folder of the host outside the site's repositories, with a hook that would run as root.
        var elsewhere = Path.Combine(h.Layout.Root, "..", "elsewhere", "counter");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllText(Path.Combine(elsewhere, "counter.json"), Cluster);
        var marker = Path.Combine(h.Layout.Root, "..", "hook-ran");
        File.WriteAllText(Path.Combine(elsewhere, "install.sh"), $"#!/bin/sh\ntouch {marker}\n");

        foreach (var entry in new[] { "/etc/passwd", "../../../etc/passwd", "a\0b", Path.GetFullPath(elsewhere), "x\ny", "counter.json", "" })
        {
            var (status, detail) = await PostAsync(h, "/api/v1/install", new { modules = new[] { "cluster", entry } });
            Assert.True(status == HttpStatusCode.BadRequest, $"{JsonSerializer.Serialize(entry)}: {status} {detail}");
            Assert.Contains("modules[1]", detail, StringComparison.Ordinal);
            Assert.Contains(JsonSerializer.Serialize(entry), detail, StringComparison.Ordinal); // quoted: a newline shows as \n
            Assert.DoesNotContain('\n', detail);

            (status, detail) = await PostAsync(h, "/api/v1/plan", new { modules = new[] { entry } });
            Assert.True(status == HttpStatusCode.BadRequest, $"plan {JsonSerializer.Serialize(entry)}: {status} {detail}");
        }

        var (byRoute, routeDetail) = await PostAsync(h, "/api/v1/modules/x%0Ay/install", new { });
        Assert.True(byRoute == HttpStatusCode.BadRequest, $"{byRoute} {routeDetail}");

        Assert.Empty(await h.Session.Store.ListModulesAsync(Ct));
        Assert.Empty(await h.Session.Store.ListAppliesAsync(10, Ct));
        Assert.DoesNotContain(await h.Session.Store.ReadEventsAsync(0, 1000, Ct), e => e.Message.Contains('\n') || e.Module.Contains('\n'));
        Assert.False(File.Exists(marker), "the hook of a module in a host folder ran");

        // A name found in the site's repositories still installs.
        var (ok, okDetail) = await PostAsync(h, "/api/v1/install", new { modules = new[] { "cluster" } });
        Assert.True(ok == HttpStatusCode.OK, okDetail);
    }

    [Fact]
    public async Task A_module_folder_sent_in_the_request_installs_from_the_sites_uploads_and_its_hook_runs_from_there()
    {
        await using var h = await DaemonHarness.StartAsync();
        var marker = Path.Combine(h.Layout.Root, "..", "hook-cwd");
        var files = new Dictionary<string, string>
        {
            ["counter.json"] = B64(Counter),
            ["install.sh"] = B64($"#!/bin/sh\npwd > {marker}\n"),
            ["templates/page.html"] = B64("<p>hi</p>"),
        };
        using var api = h.Api(h.AdminToken);
        var installed = await api.InstallAsync([], false, Ct, uploads: [new ModuleUploadV1("counter", files)]);
        Assert.True(installed.Ok, installed.Problem?.ToString());

        var location = (await api.ModuleAsync("counter", Ct)).Value!.Definition!["location"]!.GetValue<string>();
        Assert.StartsWith(Path.Combine(h.Layout.Root, "uploads", "counter") + "/", location, StringComparison.Ordinal);
        Assert.Equal(location, File.ReadAllText(marker).Trim());
        Assert.Equal("<p>hi</p>", File.ReadAllText(Path.Combine(location, "templates", "page.html")));

        // The same content is the same folder; other content a new one, the first left as it was (a rollback's files).
        var again = await api.PlanAsync([], Ct, [new ModuleUploadV1("counter", files)]);
        Assert.True(again.Ok, again.Problem?.ToString());
        files["templates/page.html"] = B64("<p>changed</p>");
        Assert.True((await api.PlanAsync([], Ct, [new ModuleUploadV1("counter", files)])).Ok);
        var folders = Directory.GetDirectories(Path.Combine(h.Layout.Root, "uploads", "counter"));
        Assert.Equal(2, folders.Length);
        Assert.Equal("<p>hi</p>", File.ReadAllText(Path.Combine(location, "templates", "page.html")));
    }

    [Theory]
    [InlineData("../escape.sh", "uploads[0].files[\"../escape.sh\"]")]
    [InlineData("/etc/cron.d/x", "uploads[0].files[\"/etc/cron.d/x\"]: an absolute path")]
    [InlineData("a//b", "uploads[0].files[\"a//b\"]")]
    [InlineData("a/./b", "uploads[0].files[\"a/./b\"]")]
    public async Task An_upload_whose_file_paths_leave_its_folder_is_a_400_and_writes_nothing(string path, string expected)
    {
        await using var h = await DaemonHarness.StartAsync();
        var files = new Dictionary<string, string> { ["counter.json"] = B64(Cluster), [path] = B64("x") };
        var (status, detail) = await PostAsync(h, "/api/v1/install", new { modules = Array.Empty<string>(), uploads = new[] { new { name = "counter", files } } });
        Assert.True(status == HttpStatusCode.BadRequest, $"{status} {detail}");
        Assert.Contains(expected, detail, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(h.Layout.Root, "uploads", "counter")));
        Assert.False(File.Exists(Path.Combine(h.Layout.Root, "escape.sh")));
    }

    [Fact]
    public async Task An_upload_without_its_module_file_with_a_bad_name_or_content_is_a_400_saying_what()
    {
        await using var h = await DaemonHarness.StartAsync();
        async Task<string> Refused(object upload)
        {
            var (status, detail) = await PostAsync(h, "/api/v1/install", new { modules = Array.Empty<string>(), uploads = new[] { upload } });
            Assert.True(status == HttpStatusCode.BadRequest, $"{status} {detail}");
            return detail;
        }

        Assert.Contains("no \"counter.json\"", await Refused(new { name = "counter", files = new Dictionary<string, string> { ["other.json"] = B64(Cluster) } }), StringComparison.Ordinal);
        Assert.Contains("uploads[0].name", await Refused(new { name = "../x", files = new Dictionary<string, string> { ["x.json"] = B64(Cluster) } }), StringComparison.Ordinal);
        Assert.Contains("not base64", await Refused(new { name = "counter", files = new Dictionary<string, string> { ["counter.json"] = "%%%" } }), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(h.Layout.Root, "uploads")));
    }

    [Fact]
    public async Task A_saved_plan_whose_run_names_a_folder_outside_the_sites_repositories_is_refused()
    {
        await using var h = await DaemonHarness.StartAsync();
        h.Release("cluster", Cluster);
        var plan = await (await h.Client(h.AdminToken).PostAsJsonAsync("/api/v1/plan", new { modules = new[] { "cluster" } }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var run = System.Text.Json.Nodes.JsonNode.Parse(plan.GetProperty("run").GetRawText())!;
        run["Folders"]!["cluster"] = "/tmp";
        var (status, detail) = await PostAsync(h, "/api/v1/apply", new { stateRevision = plan.GetProperty("stateRevision").GetInt64(), run });
        Assert.True(status == HttpStatusCode.BadRequest, $"{status} {detail}");
        Assert.Contains("\"/tmp\"", detail, StringComparison.Ordinal);
        Assert.Empty(await h.Session.Store.ListModulesAsync(Ct));

        var (applied, appliedDetail) = await PostAsync(h, "/api/v1/apply", new { stateRevision = plan.GetProperty("stateRevision").GetInt64(), run = plan.GetProperty("run") });
        Assert.True(applied == HttpStatusCode.OK, appliedDetail);
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
