using System.Text.Json.Nodes;
using Tappaas.Model.Modules;
using Tappaas.Platform.Embedded.Guests.Drivers;
using Tappaas.Platform.Embedded.Images;
using Tappaas.TestUtilities;

namespace Tappaas.Platform.Embedded.Tests;

/// <summary>Image guests for real: a registry on loopback, images built here, runc running them in a user namespace.</summary>
[Collection(nameof(GuestCollection))]
public sealed class OciGuestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly HttpClient s_http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };

    private static ModuleDefinition ImageModule(string name, string image) =>
        new(name, name + ".json", (Tappaas.Model.Json.JObject)Tappaas.Model.Json.JsonSource.Parse(name, System.Text.Encoding.UTF8.GetBytes("""
            {"vmid": 400, "vmname": "NAME", "zone0": "srvHome", "dependsOn": ["cluster:vm"], "config": {"cluster:vm": {
              "imageType": "oci", "image": "IMAGE", "cores": 1, "memory": 256, "workload": {"ports": {"http": 8080},
              "health": {"readiness": {"http": {"port": "http", "path": "/"}, "interval": "100ms"}}, "stopGrace": "2s",
              "restart": {"attempts": 5, "delay": "100ms"}, "update": {"minHealthyTime": "200ms", "drainTime": "200ms"}}}}}
            """.Replace("NAME", name, StringComparison.Ordinal).Replace("IMAGE", image, StringComparison.Ordinal))).Root!);

    private static void AllowRegistry(EmbeddedHarness h, OciRegistry registry)
    {
        var file = Path.Combine(h.Layout.Root, "config", "configuration.json");
        var root = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        root["tappaas"]!["registries"] = JsonNode.Parse(registry.RegistriesJson);
        File.WriteAllText(file, root.ToJsonString());
    }

    [Fact]
    public async Task An_image_from_the_registry_runs_isolated_keeps_its_volume_updates_to_a_new_tag_and_returns_to_the_old_digest()
    {
        if (OciRegistry.Unavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var registry = await OciRegistry.StartAsync(Ct);
        var v1 = await registry.PushWebAsync("web", "1", "<h1>version one</h1>", cancellationToken: Ct);
        var v2 = await registry.PushWebAsync("web", "2", "<h1>version two</h1>", cancellationToken: Ct);
        await using var h = new EmbeddedHarness();
        AllowRegistry(h, registry);
        var unpacked = Path.Combine("/var/tmp", "tappaas-test-rootfs-" + Guid.NewGuid().ToString("N")[..8]);
        var provider = new EmbeddedVmProvider(new EmbeddedPlatform(h.Layout.Root, isolate: true, TimeProvider.System) { UnpackedImages = unpacked });
        try
        {
            var installed = await h.InstallAsync(provider, ImageModule("webimg", v1));
            Assert.True(installed.Succeeded, installed.Message + Output(h, "webimg-0"));
            var guest = Assert.Single(provider.Runtime.GuestsOf("webimg"));
            var state = provider.Runtime.State(guest)!;
            Assert.Contains("version one", await s_http.GetStringAsync($"http://{state.Address}:8080/", Ct), StringComparison.Ordinal);
            var spec = provider.Runtime.Spec(guest)!;
            Assert.Equal(GuestDrivers.Oci, spec.Driver);
            Assert.Matches($"^{registry.Location}/web@sha256:[0-9a-f]{{64}}$", spec.Oci!.Image);
            var digest1 = spec.Oci.Image;

            // Inside: its own hostname, none of the host's files, a read-only root with a writable /tmp and volume.
            Assert.Equal((0, guest), await provider.Runtime.ExecAsync(guest, ["cat", "/etc/hostname"], Ct));
            Assert.NotEqual(0, (await provider.Runtime.ExecAsync(guest, ["test", "-e", h.Layout.Root], Ct)).ExitCode);
            Assert.True(Directory.Exists(h.Layout.Root));
            Assert.NotEqual(0, (await provider.Runtime.ExecAsync(guest, ["test", "-e", "/usr/bin/python3"], Ct)).ExitCode);
            Assert.True(File.Exists("/usr/bin/python3"));
            var rootWrite = await provider.Runtime.ExecAsync(guest, ["touch", "/written"], Ct);
            Assert.NotEqual(0, rootWrite.ExitCode);
            Assert.Contains("Read-only file system", rootWrite.Output, StringComparison.Ordinal);
            Assert.Equal(0, (await provider.Runtime.ExecAsync(guest, ["touch", "/tmp/scratch"], Ct)).ExitCode);
            Assert.Equal((0, "from the image"), await provider.Runtime.ExecAsync(guest, ["cat", "/data/seed"], Ct));
            Assert.Equal(0, (await provider.Runtime.ExecAsync(guest, ["sh", "-c", "echo kept > /data/note"], Ct)).ExitCode);
            Assert.Equal((0, "hello"), await provider.Runtime.ExecAsync(guest, ["sh", "-c", "echo $GREETING"], Ct));

            // Root in the guest is an unprivileged host uid: the module's range.
            var init = OciDriver.InitPid(spec)!.Value;
            var uids = File.ReadAllLines($"/proc/{init}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(new HostIds(h.Layout.Root).Of("webimg")!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), uids[1]);
            Assert.NotEqual("0", uids[1]);
            var status = File.ReadAllText($"/proc/{init}/status");
            Assert.Contains("NoNewPrivs:\t1", status, StringComparison.Ordinal);
            Assert.Contains("Seccomp:\t2", status, StringComparison.Ordinal); // the default profile's filter
            Assert.DoesNotContain("CapEff:\t000001ffffffffff", status, StringComparison.Ordinal);
            Assert.Equal((0, "0"), await provider.Runtime.ExecAsync(guest, ["id", "-u"], Ct));

            // The volume is the module's disk: it survives the guest's restart.
            var volume = Path.Combine(h.Layout.Root, "disks", "webimg", "volumes", "data", "note");
            Assert.Equal("kept\n", await File.ReadAllTextAsync(volume, Ct));
            Tappaas.Platform.Embedded.Host.Native.Kill(init, Tappaas.Platform.Embedded.Host.Native.SigKill);
            await WaitAsync(() => provider.Runtime.State(guest) is { Restarts: > 0, Ready: true }, Ct);
            Assert.Equal((0, "kept"), await provider.Runtime.ExecAsync(guest, ["cat", "/data/note"], Ct));

            // An update to a new tag rolls out the new digest; the volume goes along.
            var updated = await provider.InstallAsync(h.Request(ImageModule("webimg", v2)), Ct);
            Assert.True(updated.Succeeded, updated.Message);
            var guest2 = Assert.Single(provider.Runtime.GuestsOf("webimg"));
            var spec2 = provider.Runtime.Spec(guest2)!;
            Assert.NotEqual(digest1, spec2.Oci!.Image);
            Assert.Contains("version two", await s_http.GetStringAsync($"http://{spec2.Address}:8080/", Ct), StringComparison.Ordinal);
            Assert.Equal((0, "kept"), await provider.Runtime.ExecAsync(guest2, ["cat", "/data/note"], Ct));

            // Back to the old revision by its digest: exactly the old image runs again.
            var back = await provider.InstallAsync(h.Request(ImageModule("webimg", digest1)), Ct);
            Assert.True(back.Succeeded, back.Message);
            var guest3 = Assert.Single(provider.Runtime.GuestsOf("webimg"));
            Assert.Equal(digest1, provider.Runtime.Spec(guest3)!.Oci!.Image);
            Assert.Contains("version one", await s_http.GetStringAsync($"http://{provider.Runtime.Spec(guest3)!.Address}:8080/", Ct), StringComparison.Ordinal);

            // One copy of each image in the store; nothing left of the pulls.
            Assert.Equal(2, provider.Images.List().Count);
            Assert.False(Directory.Exists(Path.Combine(h.Layout.Root, "images", "pulls")) && Directory.EnumerateFileSystemEntries(Path.Combine(h.Layout.Root, "images", "pulls")).Any());
        }
        finally
        {
            await provider.DeleteAsync(h.Request(ImageModule("webimg", v1)), CancellationToken.None);
            Assert.Null(new HostIds(h.Layout.Root).Of("webimg")); // its id range is free again
            if (Directory.Exists(unpacked))
            {
                Directory.Delete(unpacked, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Bad_images_fail_with_the_module_and_image_named_and_the_running_guest_keeps_serving()
    {
        if (OciRegistry.Unavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var registry = await OciRegistry.StartAsync(Ct);
        var good = await registry.PushWebAsync("app", "1", "<h1>good</h1>", cancellationToken: Ct);
        var arm = await registry.PushWebAsync("app", "arm", "<h1>arm</h1>", arch: "arm64", cancellationToken: Ct);
        var noEntry = await registry.PushWebAsync("app", "broken", "<h1>x</h1>", entrypoint: "/bin/missing-server", cancellationToken: Ct);
        var corrupt = await registry.PushWebAsync("app", "corrupt", "<h1>corrupt</h1>", cancellationToken: Ct);
        await registry.CorruptLayersAsync(corrupt, Ct);
        var big = await registry.PushWebAsync("app", "big", "<h1>big</h1>", cancellationToken: Ct);
        await using var h = new EmbeddedHarness();
        AllowRegistry(h, registry);
        var unpacked = Path.Combine("/var/tmp", "tappaas-test-rootfs-" + Guid.NewGuid().ToString("N")[..8]);
        var provider = new EmbeddedVmProvider(new EmbeddedPlatform(h.Layout.Root, isolate: true, TimeProvider.System) { UnpackedImages = unpacked });
        try
        {
            Assert.True((await h.InstallAsync(provider, ImageModule("appimg", good))).Succeeded);
            var address = provider.Runtime.State(provider.Runtime.GuestsOf("appimg").Single())!.Address;

            var cases = new (string Image, string Expected)[]
            {
                ($"{registry.Location}/app:no-such-tag", $"module \"appimg\": cannot find image {registry.Location}/app:no-such-tag"),
                ($"{registry.Location}/nothing:1", $"cannot find image {registry.Location}/nothing:1"),
                (arm, "is for linux/arm64; this host runs linux/amd64"),
                (noEntry, "has no program \"/bin/missing-server\""),
                ("127.0.0.1:1/app:1", "cannot find image 127.0.0.1:1/app:1"),
                (corrupt, $"cannot pull image {registry.Location}/app@sha256:"),
            };
            foreach (var (image, expected) in cases)
            {
                var result = await provider.InstallAsync(h.Request(ImageModule("appimg", image)), Ct);
                Assert.False(result.Succeeded, image);
                Assert.Contains(expected, result.Message, StringComparison.Ordinal);
                Assert.Contains("good", await s_http.GetStringAsync($"http://{address}:8080/", Ct), StringComparison.Ordinal);
            }

            var pulls = Path.Combine(h.Layout.Root, "images", "pulls");
            Assert.Empty(Directory.Exists(pulls) ? Directory.GetFileSystemEntries(pulls) : []);

            // A full disk during a pull: the pulls folder on a tmpfs far smaller than the image.
            Directory.CreateDirectory(pulls);
            Assert.Equal(0, (await Tappaas.Platform.Embedded.Host.Sh.RunAsync("mount", ["-t", "tmpfs", "-o", "size=64k", "tappaas-test-full", pulls], Ct)).Code);
            try
            {
                var full = await provider.InstallAsync(h.Request(ImageModule("appimg", big)), Ct);
                Assert.False(full.Succeeded);
                Assert.Contains("no space left on device", full.Message, StringComparison.Ordinal);
                Assert.Contains("module \"appimg\"", full.Message, StringComparison.Ordinal);
                Assert.Empty(Directory.GetFileSystemEntries(pulls));
                Assert.Contains("good", await s_http.GetStringAsync($"http://{address}:8080/", Ct), StringComparison.Ordinal);
            }
            finally
            {
                await Tappaas.Platform.Embedded.Host.Sh.RunAsync("umount", [pulls], CancellationToken.None);
            }

            // Nothing of the failed pulls reached the store (the image without its program was pulled whole and refused at its start).
            foreach (var failed in new[] { corrupt, big })
            {
                Assert.False(provider.Images.Has(await provider.Images.ResolveAsync(Tappaas.Model.Images.ImageReference.Parse(failed), Ct)), failed);
            }

            Assert.Equal(2, provider.Images.List().Count);
        }
        finally
        {
            await provider.DeleteAsync(h.Request(ImageModule("appimg", good)), CancellationToken.None);
            if (Directory.Exists(unpacked))
            {
                Directory.Delete(unpacked, recursive: true);
            }
        }
    }

    /// <summary>The guest's output (kept when it was removed), for a failure's message.</summary>
    private static string Output(EmbeddedHarness h, string guest)
    {
        var kept = Path.Combine(h.Layout.Root, "logs", "guests", guest + ".log");
        var live = Path.Combine(h.Layout.Root, "guests", guest, "logs", "output.log");
        return "\n" + (File.Exists(live) ? File.ReadAllText(live) : File.Exists(kept) ? File.ReadAllText(kept) : "(no output)");
    }

    private static async Task WaitAsync(Func<bool> done, CancellationToken ct)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < until, "timed out");
            await Task.Delay(50, ct);
        }
    }
}
