using System.Text.Json;

namespace Tappaas.EndToEnd.Tests;

/// <summary>A module with a workload installed through the CLI on the embedded platform: it keeps serving after the CLI exits.</summary>
public sealed class EmbeddedCliTests
{
    [Fact]
    public async Task Guest_installed_by_the_cli_outlives_it_logs_and_is_removed()
    {
        using var fx = new SiteFixture();
        var site = Path.Combine("/var/tmp", "tappaas-e2e-" + Guid.NewGuid().ToString("N")[..8]); // guests get a private /tmp
        try
        {
            var init = await Cli.RunAsync(site, "init", "--backend", "cluster:*=embedded", "--repository", fx.Modules);
            Assert.True(init.Code == 0, init.Output);
            fx.Write("echo/echo.json", """
                {"description": "echo", "version": "1.0", "vmid": 450, "zone0": "srvWork", "dependsOn": ["cluster:vm"],
                 "config": {"cluster:vm": {"image": "none", "memory": 512, "cores": 1, "workload": {
                   "command": "/bin/sh", "args": ["-c", "echo started on $(hostname); exec /usr/bin/python3 -u -m http.server ${port:http} --bind 0.0.0.0 --directory /etc"],
                   "ports": {"http": 8081},
                   "health": {"readiness": {"tcp": {"port": "http"}, "interval": "200ms"}}}}}}
                """);
            var install = await Cli.RunAsync(site, "install", "cluster", "echo");
            Assert.True(install.Code == 0, install.Output);

            var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "guests", "echo-0", "state.json"))).RootElement;
            var spec = JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "guests", "echo-0", "spec.json"))).RootElement;
            var address = state.GetProperty("Address").GetString();
            var port = spec.GetProperty("Ports").GetProperty("http").GetInt32();
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
            Assert.Contains("Directory listing", await http.GetStringAsync($"http://{address}:{port}/", TestContext.Current.CancellationToken), StringComparison.Ordinal);
            Assert.Equal(0, (await Cli.RunAsync(site, "test", "echo")).Code);

            var logs = await Cli.RunAsync(site, "logs", "echo");
            Assert.Contains("echo-0", logs.Output, StringComparison.Ordinal);
            Assert.Contains("started on echo", logs.Output, StringComparison.Ordinal);

            Assert.Equal(0, (await Cli.RunAsync(site, "delete", "echo", "--remove", "--yes")).Code);
            Assert.False(Directory.Exists(Path.Combine(site, "guests", "echo-0")));
        }
        finally
        {
            await Cli.RunAsync(site, "delete", "echo", "--remove", "--yes");
            Directory.Delete(site, recursive: true);
        }
    }
}
