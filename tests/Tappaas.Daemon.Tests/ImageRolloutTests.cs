using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Tappaas.TestUtilities;

namespace Tappaas.Daemon.Tests;

/// <summary>An image module through the daemon: the digest in the revision, a moved tag in the plan, an update under load, a rollback, a backup and restore of its volume, a canary and its promotion, autoscaling.</summary>
[Collection(nameof(SteadyLoadCollection))]
public sealed class ImageRolloutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_moved_tag_is_a_planned_change_rolled_out_under_load_without_a_failed_request_and_a_rollback_runs_the_old_digest()
    {
        if (OciRegistry.Unavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var registry = await OciRegistry.StartAsync(Ct);
        await registry.PushWebAsync("site", "stable", "<h1>first</h1>", cancellationToken: Ct);
        var (https, http) = (SiteHttps.FreePort(), SiteHttps.FreePort());
        await using var h = await DaemonHarness.StartAsync(("d9", 50), (https, http), embedded: true);
        var configuration = Path.Combine(h.Layout.Root, "config", "configuration.json");
        var config = JsonNode.Parse(await File.ReadAllTextAsync(configuration, Ct))!;
        config["tappaas"]!["registries"] = JsonNode.Parse(registry.RegistriesJson);
        await File.WriteAllTextAsync(configuration, config.ToJsonString(), Ct);
        h.Release("cluster", """{"description": "guests", "version": "1.0", "provides": ["vm"]}""");
        h.Release("firewall", """{"description": "firewall", "version": "1.0", "provides": ["rules", "dns", "proxy"]}""");
        string Web(int canary, bool autoscale = false) => """
            {"description": "web", "version": "1.0", "vmid": 497, "zone0": "srvHome", "proxyDomain": "web.example.org", "proxyPort": 8080, "proxyAllowedZones": ["mgmt"],
             "dependsOn": ["cluster:vm", "firewall:proxy"], "config": {"cluster:vm": {"imageType": "oci", "image": "REGISTRY/site:stable", "memory": 512, "cores": 1, "workload": {
               "ports": {"http": 8080}, "replicas": 2, "health": {"readiness": {"http": {"port": "http", "path": "/"}, "interval": "100ms"}}, "stopGrace": "1s",
               "update": {"minHealthyTime": "300ms", "drainTime": "1s", "canary": CANARY}AUTOSCALE}}}}
            """.Replace("REGISTRY", registry.Location, StringComparison.Ordinal).Replace("CANARY", canary.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("AUTOSCALE", autoscale ? ", \"autoscale\": {\"min\": 1, \"max\": 3, \"metric\": \"rps\", \"target\": 20, \"scaleUpWindow\": \"2s\", \"scaleDownWindow\": \"3s\"}" : "", StringComparison.Ordinal);
        h.Release("web", Web(canary: 0));
        using var api = h.Api(h.AdminToken);
        try
        {
            var installed = await api.InstallAsync(["cluster", "firewall", "web"], false, Ct);
            Assert.True(installed.Ok, string.Join("; ", installed.Problem?.Diagnostics.Select(d => d.Message) ?? []));
            var first = Digest((await api.ModuleAsync("web", Ct)).Value!.Definition);
            Assert.Matches("^sha256:[0-9a-f]{64}$", first);
            var journal = (await api.JournalAsync(installed.Value!.RunId!.Value, Ct)).Value!;
            Assert.Contains(journal, e => e.Phase == "progress" && e.Detail == $"pulling {registry.Location}/site@{first}");
            Assert.Contains(journal, e => e.Phase == "progress" && e.Detail.StartsWith($"pulled {registry.Location}/site@{first} (", StringComparison.Ordinal));

            using var root = X509Certificate2.CreateFromPem(await h.Client().GetStringAsync("/api/v1/ca.crt", Ct));
            using var client = SiteHttps.Client(https, root);
            var proxy = h.Service<Proxy.ProxyProcess>();
            for (var i = 0; i < 100 && (await proxy.RoutesAsync(Ct)).FirstOrDefault(r => r.Module == "web")?.Guests.Count != 2; i++)
            {
                await Task.Delay(100, Ct);
            }

            Assert.Contains("first", await client.GetStringAsync("https://web.example.org/", Ct), StringComparison.Ordinal);

            // The tag moves: the plan names the new digest; nothing changed yet.
            await registry.PushWebAsync("site", "stable", "<h1>second</h1>", cancellationToken: Ct);
            var plan = (await api.PlanAsync(["web"], Ct)).Value!;
            var change = Assert.Single(plan.Changes, c => c.Module == "web" && c.Service is null);
            Assert.Contains($"image {first[..19]}… -> sha256:", string.Join(" ", change.Reasons), StringComparison.Ordinal);
            Assert.Contains("first", await client.GetStringAsync("https://web.example.org/", Ct), StringComparison.Ordinal);

            // The update rolls out under load; not one request fails.
            SteadyLoad load;
            await using (load = new SteadyLoad(client, new Uri("https://web.example.org/"), 40))
            {
                var updated = await api.UpdateAsync("web", false, false, Ct);
                Assert.True(updated.Ok, string.Join("; ", updated.Problem?.Diagnostics.Select(d => d.Message) ?? []));
                await Task.Delay(500, Ct);
            }

            Assert.True(load.Counts.Failed == 0 && load.Counts.Ok > 20, $"{load.Counts}");
            var second = Digest((await api.ModuleAsync("web", Ct)).Value!.Definition);
            Assert.NotEqual(first, second);
            Assert.Contains("second", await client.GetStringAsync("https://web.example.org/", Ct), StringComparison.Ordinal);

            // A rollback re-applies the recorded revision: the old digest, although the tag now names the new one.
            var back = await api.RollbackAsync("web", null, Ct);
            Assert.True(back.Ok, string.Join("; ", back.Problem?.Diagnostics.Select(d => d.Message) ?? []));
            Assert.Equal(first, Digest((await api.ModuleAsync("web", Ct)).Value!.Definition));
            for (var i = 0; i < 100 && !(await client.GetStringAsync("https://web.example.org/", Ct)).Contains("first", StringComparison.Ordinal); i++)
            {
                await Task.Delay(100, Ct);
            }

            Assert.Contains("first", await client.GetStringAsync("https://web.example.org/", Ct), StringComparison.Ordinal);
            Assert.All(h.Embedded.Runtime.GuestsOf("web"), g => Assert.EndsWith("@" + first, h.Embedded.Runtime.Spec(g)!.Oci!.Image, StringComparison.Ordinal));

            // The history names each revision's image; the store holds both, each used by its revisions; nothing to prune.
            var history = (await api.HistoryAsync("web", Ct)).Value!;
            Assert.Equal([first, second, first], history.Select(r => r.Image?[(r.Image.IndexOf('@', StringComparison.Ordinal) + 1)..]));
            Assert.All(history, r => Assert.StartsWith($"{registry.Location}/site@", r.Image, StringComparison.Ordinal));
            var images = (await api.ImagesAsync(Ct)).Value!;
            Assert.Equal(2, images.Count);
            var old = Assert.Single(images, i => i.Digest == first);
            Assert.Equal([$"web r{history[2].Revision}", $"web r{history[0].Revision}"], old.UsedBy);
            Assert.Empty((await api.PruneImagesAsync(Ct)).Value!);

            // The image's volume is the module's disk: a backup holds it and a restore brings it back into the guests.
            var runtime = h.Embedded.Runtime;
            Assert.Equal(0, (await runtime.ExecAsync(runtime.GuestsOf("web")[0], ["sh", "-c", "echo saved > /data/state"], Ct)).ExitCode);
            var backup = await api.BackupAsync("web", Ct);
            Assert.True(backup.Ok, backup.Problem?.Detail);
            Assert.Equal(0, (await runtime.ExecAsync(runtime.GuestsOf("web")[0], ["sh", "-c", "echo changed > /data/state"], Ct)).ExitCode);
            var restore = await api.RestoreAsync("web", null, Ct);
            Assert.True(restore.Ok, restore.Problem?.Detail);
            foreach (var guest in runtime.GuestsOf("web"))
            {
                await WaitAsync(() => runtime.State(guest) is { Status: "running", Ready: true }, Ct);
                Assert.Equal((0, "saved"), await runtime.ExecAsync(guest, ["cat", "/data/state"], Ct));
            }

            // A canary of the tag's new digest serves beside the two guests of the old one until it is promoted.
            h.Release("web", Web(canary: 1));
            var canary = await api.UpdateAsync("web", false, false, Ct);
            Assert.True(canary.Ok, string.Join("; ", canary.Problem?.Diagnostics.Select(d => d.Message) ?? []));
            var running = runtime.GuestsOf("web").Select(g => runtime.Spec(g)!.Oci!.Image[(runtime.Spec(g)!.Oci!.Image.IndexOf('@', StringComparison.Ordinal) + 1)..]).Order(StringComparer.Ordinal).ToList();
            Assert.Equal([.. new[] { first, first, second }.Order(StringComparer.Ordinal)], running);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < 60 && seen.Count < 2; i++)
            {
                seen.Add((await client.GetStringAsync("https://web.example.org/", Ct)).Contains("second", StringComparison.Ordinal) ? "second" : "first");
            }

            Assert.Equal(["first", "second"], seen.Order(StringComparer.Ordinal));
            var promoted = await api.PromoteAsync("web", Ct);
            Assert.True(promoted.Ok, string.Join("; ", promoted.Problem?.Diagnostics.Select(d => d.Message) ?? []));
            Assert.Equal(2, runtime.GuestsOf("web").Count);
            Assert.All(runtime.GuestsOf("web"), g => Assert.EndsWith("@" + second, runtime.Spec(g)!.Oci!.Image, StringComparison.Ordinal));
            Assert.Contains("second", await client.GetStringAsync("https://web.example.org/", Ct), StringComparison.Ordinal);

            // Autoscaling by the proxy's request rate: image guests of the running digest are added under load, removed after.
            h.Release("web", Web(canary: 0, autoscale: true));
            var scalable = await api.UpdateAsync("web", false, false, Ct);
            Assert.True(scalable.Ok, string.Join("; ", scalable.Problem?.Diagnostics.Select(d => d.Message) ?? []));
            var autoscaler = h.Service<Scaling.Autoscaler>();
            await using (new SteadyLoad(client, new Uri("https://web.example.org/"), 100))
            {
                await AutoscaleSampling.UntilAsync(autoscaler, () => runtime.GuestsOf("web").Count == 3, TimeSpan.FromSeconds(30), Ct);
                Assert.All(runtime.GuestsOf("web"), g => Assert.EndsWith("@" + second, runtime.Spec(g)!.Oci!.Image, StringComparison.Ordinal));
            }

            await AutoscaleSampling.UntilAsync(autoscaler, () => runtime.GuestsOf("web").Count == 1, TimeSpan.FromSeconds(30), Ct);
            Assert.Contains((await api.EventsAsync(0, 1000, Ct)).Value!, e => e.Kind == "autoscaled" && e.Message.StartsWith("2 -> 3 replicas: rps per replica", StringComparison.Ordinal));
        }
        finally
        {
            await api.DeleteAsync("web", remove: true, force: false, CancellationToken.None);
            var unpacked = Path.Combine("/var/lib/tappaas/rootfs", Platform.Embedded.Images.ImageStore.SiteKey(h.Layout.Root));
            if (Directory.Exists(unpacked))
            {
                Directory.Delete(unpacked, recursive: true);
            }
        }
    }

    private static async Task WaitAsync(Func<bool> done, CancellationToken ct)
    {
        for (var i = 0; i < 300 && !done(); i++)
        {
            await Task.Delay(50, ct);
        }

        Assert.True(done(), "timed out");
    }

    private static string Digest(JsonNode? definition) =>
        (string?)(definition?["imageDigest"] ?? definition?["config"]?["cluster:vm"]?["imageDigest"]) ?? "";
}
