using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Tappaas.TestUtilities;

namespace Tappaas.EndToEnd.Tests;

/// <summary>
/// Faults while the site serves: steady load through the proxy while the daemon is SIGKILLed (in the middle of an
/// update), SIGSTOPped for 10 s, and started again, a guest supervisor is SIGKILLed and a workload is SIGKILLed. The
/// proxy runs apart from the daemon, so no request fails with two replicas; every replica is ready again, no process is
/// left over, and the interrupted update is finished by the next daemon by itself.
/// </summary>
public sealed class ChaosTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Daemon_killed_and_stopped_supervisor_and_workload_killed_under_load_no_request_fails_and_everything_recovers()
    {
        var site = SiteFixture.EmbeddedSiteFolder();
        var repository = site + "-repository";
        Process? daemon = null;
        try
        {
            Examples.CopyStack(repository);
            Assert.Equal(0, (await Cli.RunAsync(site, "init", "--backend", "cluster:*=embedded", "--backend", "firewall:*=embedded", "--backend", "backup:*=embedded", "--repository", repository)).Code);
            EmbeddedSites.Separate(site, "e9", 70);
            var (listen, https) = ($"http://127.0.0.1:{SiteHttps.FreePort()}", SiteHttps.FreePort());
            string[] proxy = ["--proxy-https", $"https://127.0.0.1:{https}"];
            string token;
            (daemon, token) = await Daemon.StartAsync(site, listen, Ct, proxy);
            using var api = new HttpClient { BaseAddress = new Uri(listen), Timeout = TimeSpan.FromSeconds(120) };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            foreach (var module in new[] { "cluster", "firewall", "backup", "counter" })
            {
                var install = await api.PostAsync($"/api/v1/modules/{module}/install", null, Ct);
                Assert.True(install.IsSuccessStatusCode, await install.Content.ReadAsStringAsync(Ct));
            }

            using var root = X509Certificate2.CreateFromPem(await api.GetStringAsync("/api/v1/ca.crt", Ct));
            using var browser = SiteHttps.Client(https, root);
            var proxyPid = JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "run", "proxy.json"))).RootElement.GetProperty("Pid").GetInt32();
            await using var load = new SteadyLoad(browser, new Uri("https://counter.tappaas.internal/"), 50);
            await Task.Delay(500, Ct);
            Assert.Equal(0, load.Counts.Failed);

            // 1. An update to release 2 is under way when the daemon is SIGKILLed; the proxy serves on without it.
            Examples.PublishCounter("counter-v2", repository);
            var update = api.PostAsync("/api/v1/modules/counter/update", null, Ct);
            var interrupted = await UntilAsync(async () => (await StatusAsync(api)).Runs.FirstOrDefault(r => r.Status == "running" && r.Command.Contains("update", StringComparison.Ordinal)), TimeSpan.FromSeconds(30));
            await Task.Delay(300, Ct);
            daemon.Kill();
            await daemon.WaitForExitAsync(Ct);
            await Assert.ThrowsAnyAsync<Exception>(() => update);
            await Task.Delay(3000, Ct);
            Assert.True(Directory.Exists($"/proc/{proxyPid}"), "the proxy died with the daemon");

            // 2. A new daemon adopts the running proxy and finishes the interrupted run by itself.
            (daemon, _) = await Daemon.StartAsync(site, listen, Ct, proxy);
            Assert.Equal(proxyPid, JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "run", "proxy.json"))).RootElement.GetProperty("Pid").GetInt32());
            var finished = await UntilAsync(async () => (await StatusAsync(api)) is { Locked: null } s && s.Runs.FirstOrDefault(r => r.Id == interrupted.Id) is { Status: not "running" } r ? r : null,
                TimeSpan.FromSeconds(90));
            TestContext.Current.TestOutputHelper?.WriteLine($"interrupted run {interrupted.Id}: {finished.Status}");

            // 3. The daemon is SIGSTOPped for 10 s: the proxy does not wait for it.
            Assert.Equal(0, Signal(daemon.Id, "STOP"));
            await Task.Delay(10_000, Ct);
            Assert.Equal(0, Signal(daemon.Id, "CONT"));
            Assert.True((await api.GetAsync("/api/v1/health", Ct)).IsSuccessStatusCode);

            // 4. A guest's supervisor is SIGKILLed (its workload must not outlive it), then another guest's workload.
            var guests = (await StatusAsync(api)).Guests.Where(g => g.Module == "counter").OrderBy(g => g.Guest, StringComparer.Ordinal).ToList();
            Assert.Equal(2, guests.Count);
            var supervisor = State(site, guests[0].Guest).GetProperty("ShimPid").GetInt32();
            var orphan = guests[0].WorkloadPid!.Value;
            Assert.Equal(0, Signal(supervisor, "KILL"));
            await UntilAsync(async () => (await StatusAsync(api)).Guests.FirstOrDefault(g => g.Guest == guests[0].Guest) is { Ready: true, Supervised: true } g && g.WorkloadPid != orphan ? g : null,
                TimeSpan.FromSeconds(60));
            Assert.False(File.Exists($"/proc/{orphan}/stat") && !File.ReadAllText($"/proc/{orphan}/stat").Contains(") Z ", StringComparison.Ordinal), $"the workload {orphan} of the killed supervisor still runs");
            var second = (await StatusAsync(api)).Guests.Single(g => g.Guest == guests[1].Guest);
            var workload = second.WorkloadPid!.Value;
            Assert.Equal(0, Signal(workload, "KILL"));
            await UntilAsync(async () => (await StatusAsync(api)).Guests.FirstOrDefault(g => g.Guest == guests[1].Guest) is { Ready: true } g && g.WorkloadPid != workload ? g : null,
                TimeSpan.FromSeconds(60));
            await Task.Delay(1000, Ct);

            var counts = load.Counts;
            Assert.True(counts.Failed == 0 && counts.Sent > 1000, $"{counts}: {load.Failures}");
            var status = await StatusAsync(api);
            Assert.All(status.Guests.Where(g => g.Module == "counter"), g => Assert.True(g is { Ready: true, Supervised: true }, $"{g.Guest}: {g.Status} {g.Reason}"));
            Assert.Equal(2, status.Guests.Count(g => g.Module == "counter"));
            // No process left over: one counter program per guest in the site's cgroups, each under a guest's workload.
            var workloads = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(p => p!.All(char.IsDigit)).Select(p => int.Parse(p!))
                .Where(p => Read($"/proc/{p}/cgroup").Contains("/tappaas/e9-", StringComparison.Ordinal) && Read($"/proc/{p}/cmdline").Contains("counter.py", StringComparison.Ordinal)
                    && Read($"/proc/{p}/comm").StartsWith("python", StringComparison.Ordinal)).ToList();
            var current = status.Guests.Where(g => g.Module == "counter").Select(g => g.WorkloadPid!.Value).ToHashSet();
            Assert.Equal(current.Count, workloads.Count);
            Assert.All(workloads, p => Assert.Contains(Ancestors(p), current.Contains));
        }
        finally
        {
            if (daemon is { HasExited: false })
            {
                daemon.Kill();
            }

            if (Directory.Exists(site))
            {
                await Cli.RunAsync(site, "down", "--data-dir", site, "--purge");
            }

            await EmbeddedSites.RemoveHostObjectsAsync("e9", site);
            if (Directory.Exists(repository))
            {
                Directory.Delete(repository, recursive: true);
            }
        }
    }

    private static async Task<Client.SiteStatusV1> StatusAsync(HttpClient api) => (await api.GetFromJsonAsync<Client.SiteStatusV1>("/api/v1/status", JsonSerializerOptions.Web, Ct))!;

    private static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, TimeSpan deadline)
        where T : class
    {
        for (var waited = Stopwatch.StartNew(); ; await Task.Delay(100, Ct))
        {
            if (await probe() is { } found)
            {
                return found;
            }

            Assert.True(waited.Elapsed < deadline, $"not reached within {deadline.TotalSeconds:0} s");
        }
    }

    private static int Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        return kill.ExitCode;
    }

    private static IEnumerable<int> Ancestors(int pid)
    {
        for (var p = pid; p > 1 && Read($"/proc/{p}/status").Split('\n').FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal)) is { } line; )
        {
            yield return p;
            p = int.Parse(line[5..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private static string Read(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static JsonElement State(string site, string guest) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "guests", guest, "state.json"))).RootElement.Clone();
}
