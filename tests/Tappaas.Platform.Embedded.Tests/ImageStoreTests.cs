using System.Diagnostics;
using Tappaas.Model.Images;
using Tappaas.Model.Site;
using Tappaas.Platform.Embedded.Images;
using Tappaas.TestUtilities;

namespace Tappaas.Platform.Embedded.Tests;

/// <summary>The image store with real skopeo and a real registry: a pull killed half-way, and pruning.</summary>
public sealed class ImageStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_pull_killed_half_way_leaves_nothing_in_the_store_and_the_next_pull_finishes_then_prune_keeps_only_what_is_used()
    {
        if (OciRegistry.Unavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var registry = await OciRegistry.StartAsync(Ct);
        var one = ImageReference.Parse(await registry.PushWebAsync("store", "1", "<h1>1</h1>", cancellationToken: Ct));
        var two = ImageReference.Parse(await registry.PushWebAsync("store", "2", "<h1>2</h1>", cancellationToken: Ct));
        using var dir = new TempDir("/var/tmp");
        var site = new SiteSnapshot(new SiteConfiguration { File = "configuration.json", Registries = [new RegistrySetting(registry.Location, true)] }, null, []);
        var store = new ImageStore(dir.Path, site, Path.Combine(dir.Path, "rootfs"));
        var digest = await store.ResolveAsync(one, Ct);

        // Another process's pull, killed by SIGKILL while it copies (as a daemon killed in the middle of an install).
        var pulls = Path.Combine(dir.Path, "images", "pulls");
        Directory.CreateDirectory(pulls);
        using (var killed = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", $"exec skopeo copy --src-tls-verify=false docker://{one.At(digest).Canonical} oci:{pulls}/{digest[7..]}.$$:{digest[7..]}"]) { RedirectStandardError = true })!)
        {
            await Task.Delay(30, Ct);
            killed.Kill();
            await killed.WaitForExitAsync(Ct);
        }

        Assert.False(store.Has(digest));
        Assert.Empty(store.List());

        var pulled = await store.PullAsync(one, digest, null, Ct);
        Assert.Equal(digest, pulled.Digest);
        Assert.True(store.Has(digest));
        Assert.Empty(Directory.GetFileSystemEntries(pulls)); // the killed pull's folder went with the next pull
        Assert.Equal(["/bin/httpd"], pulled.Config.Entrypoint);
        Assert.Equal(["/data"], pulled.Config.Volumes);

        var second = await store.ResolveAsync(two, Ct);
        await store.PullAsync(two, second, null, Ct);
        Assert.Equal(2, store.List().Count);
        var rootfs = await store.RootFsAsync(second, 0x6000_0000, Ct);
        Assert.True(File.Exists(Path.Combine(rootfs, "bin", "busybox")));
        Assert.Equal(0x6000_0000u, new FileInfo(Path.Combine(rootfs, "bin", "busybox")).UnixOwner()); // owned by the guest's root

        Assert.Equal([digest], await store.PruneAsync(new HashSet<string> { second }, Ct));
        Assert.Equal([second], store.List().Select(i => i.Digest));
        Assert.True(Directory.Exists(rootfs)); // the kept image's unpacked root stays
        Assert.True(store.Has(second));
    }
}

internal static class FileOwner
{
    /// <summary>The file's owner uid (from <c>stat -c %u</c>).</summary>
    public static uint UnixOwner(this FileInfo file)
    {
        using var p = Process.Start(new ProcessStartInfo("stat", ["-c", "%u", file.FullName]) { RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return uint.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>A registry that asks for credentials: refused without, a wrong password refused at login, pulls after it.</summary>
public sealed class RegistryLoginTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_registry_that_answers_401_names_the_login_a_wrong_password_is_refused_and_the_kept_credentials_pull()
    {
        if (OciRegistry.Unavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var registry = await OciRegistry.StartAsync(Ct, ("puller", "s3cret-pass"));
        var image = ImageReference.Parse(await registry.PushWebAsync("private", "1", "<h1>private</h1>", cancellationToken: Ct));
        using var dir = new TempDir("/var/tmp");
        var site = new SiteSnapshot(new SiteConfiguration { File = "configuration.json", Registries = [new RegistrySetting(registry.Location, true)] }, null, []);
        var store = new ImageStore(dir.Path, site, Path.Combine(dir.Path, "rootfs"));

        var refused = await Assert.ThrowsAsync<ImageException>(() => store.ResolveAsync(image, Ct));
        Assert.Contains("the registry asks for credentials", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"tappaas registry login {registry.Location} -u USER", refused.Message, StringComparison.Ordinal);

        var wrong = await store.LoginAsync(registry.Location, "puller", "not-it", Ct);
        Assert.NotNull(wrong);
        Assert.DoesNotContain("not-it", wrong, StringComparison.Ordinal);

        Assert.Null(await store.LoginAsync(registry.Location, "puller", "s3cret-pass", Ct));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.AuthFile));
        Assert.DoesNotContain("s3cret-pass", await File.ReadAllTextAsync(store.AuthFile, Ct), StringComparison.Ordinal); // containers' format: base64, readable by root only
        var digest = await store.ResolveAsync(image, Ct);
        Assert.True((await store.PullAsync(image, digest, null, Ct)).Bytes > 0);

        Assert.True(await store.LogoutAsync(registry.Location, Ct));
        await Assert.ThrowsAsync<ImageException>(() => store.ResolveAsync(image, Ct)); // forgotten: asked for credentials again
    }
}
