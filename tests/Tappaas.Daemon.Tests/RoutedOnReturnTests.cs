using System.Net;
using System.Security.Cryptography.X509Certificates;
using Tappaas.Client;
using Tappaas.Platform.Embedded.Backup;
using Tappaas.TestUtilities;

namespace Tappaas.Daemon.Tests;

/// <summary>
/// A run reports done only once the proxy routes to the guests it left ready: requests sent the moment install, update,
/// scale, rollback, backup and restore return through the API are all answered by a guest (a single replica, so any
/// route still pointing at a replaced or not-yet-known guest shows as a 502 or 503).
/// </summary>
public sealed class RoutedOnReturnTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Requests_right_after_each_run_returns_are_answered_by_a_ready_guest()
    {
        if (ResticRepository.Binary is null)
        {
            Assert.Skip(Prerequisites.Missing("restic (Debian package restic)"));
        }

        var (https, http) = (SiteHttps.FreePort(), SiteHttps.FreePort());
        await using var h = await DaemonHarness.StartAsync(("d8", 20), (https, http), embedded: true);
        h.Release("cluster", """{"description": "guests", "version": "1.0", "provides": ["vm"]}""");
        h.Release("firewall", """{"description": "firewall", "version": "1.0", "provides": ["rules", "dns", "proxy"]}""");
        h.Release("backup", """{"description": "backups", "version": "1.0", "provides": ["vm"]}""");
        void Web(string version) => h.Release("web", """
            {"description": "web", "version": "@VERSION", "vmid": 497, "zone0": "srvHome", "proxyDomain": "web.example.org", "proxyPort": 8080, "proxyAllowedZones": ["mgmt"],
             "dependsOn": ["cluster:vm", "firewall:proxy", "backup:vm"], "config": {"cluster:vm": {"image": "none", "memory": 512, "cores": 1, "workload": {
               "command": "/usr/bin/python3", "args": ["-u", "count.py"], "env": {"VERSION": "@VERSION"}, "ports": {"http": 8080},
               "health": {"readiness": {"http": {"port": "http", "path": "/"}, "interval": "100ms"}}, "stopGrace": "1s",
               "update": {"minHealthyTime": "200ms", "drainTime": "300ms"}}}}}
            """.Replace("@VERSION", version, StringComparison.Ordinal));
        Web("1.0");
        File.WriteAllText(Path.Combine(h.Repository, "web", "count.py"), CountServer); // a guest sees its own folder only
        using var api = h.Api(h.AdminToken);
        using var root = X509Certificate2.CreateFromPem(await h.Client().GetStringAsync("/api/v1/ca.crt", Ct));
        using var client = SiteHttps.Client(https, root);
        var answers = new List<string>();
        async Task After<T>(string run, Func<Task<ApiResult<T>>> call, string? expect = null)
        {
            var result = await call();
            Assert.True(result.Ok, $"{run}: {result.Problem}");
            for (var i = 0; i < 5; i++)
            {
                using var response = await client.GetAsync("https://web.example.org/", Ct);
                var body = await response.Content.ReadAsStringAsync(Ct);
                answers.Add($"{run} #{i}: {(int)response.StatusCode} {body.Trim()}");
                Assert.True(response.StatusCode == HttpStatusCode.OK, string.Join("\n", answers));
                Assert.Contains(expect ?? "", body, StringComparison.Ordinal);
            }
        }

        try
        {
            await After("install", () => api.InstallAsync(["cluster", "firewall", "backup", "web"], false, Ct), "1.0");
            Web("2.0");
            await After("update", () => api.UpdateAsync("web", false, false, Ct), "2.0");
            await After("scale 1 -> 2", () => api.ScaleAsync("web", 2, Ct), "2.0");
            await After("scale 2 -> 1", () => api.ScaleAsync("web", 1, Ct), "2.0");
            await After("rollback", () => api.RollbackAsync("web", 1, Ct), "1.0");
            await After("backup", () => api.BackupAsync("web", Ct));
            var metrics = await h.Client(h.AdminToken).GetStringAsync("/metrics", Ct); // the backup's outcome, from OpenTelemetry's exporter
            Assert.Contains("tappaas_backup_last_success{module=\"web\"} 1", metrics, StringComparison.Ordinal);
            Assert.Matches("tappaas_backup_last_duration_seconds\\{module=\"web\"\\} [0-9.]+", metrics);
            Assert.Contains("tappaas_backup_failures_total{module=\"web\"} 0", metrics, StringComparison.Ordinal);
            await After("restore", () => api.RestoreAsync("web", null, Ct), "1.0");
            // The proxy runs apart from the daemon; the daemon reads its counters: every request above, none a 5xx.
            var proxy = h.Service<Proxy.ProxyProcess>();
            var stats = h.Service<Proxy.ProxyStats>();
            for (var i = 0; i < 50 && stats.Of("web").Requests < answers.Count; i++)
            {
                await Task.Delay(100, Ct);
                await proxy.ReadStatsAsync(Ct);
            }

            Assert.True(stats.Of("web").Requests >= answers.Count, $"the proxy counted {stats.Of("web")} for {answers.Count} requests");
            Assert.Equal(0, stats.Of("web").ServerErrors);
            TestContext.Current.TestOutputHelper?.WriteLine(string.Join("\n", answers));
        }
        finally
        {
            await api.DeleteAsync("web", remove: true, force: false, CancellationToken.None);
        }
    }

    /// <summary>
    /// Answers its version (started with the module's folder as its working folder) after a second of start-up, so the
    /// proxy sees each new or restarted guest not ready before it is.
    /// </summary>
    private const string CountServer = """
        import http.server, os, time
        time.sleep(1)
        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                body = (os.environ["VERSION"] + "\n").encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *a):
                pass
        http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["TAPPAAS_PORT_HTTP"])), H).serve_forever()
        """;
}
