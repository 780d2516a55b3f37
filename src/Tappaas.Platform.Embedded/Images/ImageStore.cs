using System.Diagnostics;
using System.Text.Json.Nodes;
using Tappaas.IO;
using Tappaas.Model.Images;
using Tappaas.Model.Site;

namespace Tappaas.Platform.Embedded.Images;

/// <summary>A failure to get or use an image, said for an operator (what failed and what to do).</summary>
public sealed class ImageException(string message) : Exception(message);

/// <summary>An image in the store: its exact reference, its config and its size.</summary>
public sealed record StoredImage(ImageReference Reference, string Digest, ImageConfig Config, long Bytes);

/// <summary>
/// The site's content-addressed image store (<c>&lt;site&gt;/images</c>): one OCI image layout whose blobs every image
/// shares (<c>oci/</c>, each manifest tagged by its digest), pulled with Debian's <c>skopeo</c> by digest after the tag
/// was resolved, and root filesystems unpacked once per image and owner range with <c>umoci</c> (<c>rootfs/</c>; the
/// files are owned by the guest's host ids, so root in the guest owns them). A pull goes to a folder of its own first and
/// its blobs move in only when it completed, so an interrupted pull leaves nothing half-made in the store.
/// </summary>
public sealed class ImageStore(string siteFolder, SiteSnapshot site, string? unpackedFolder = null)
{
    public string Root => Path.Combine(siteFolder, "images");

    public string Layout => Path.Combine(Root, "oci");

    private string Pulls => Path.Combine(Root, "pulls");

    /// <summary>
    /// Where root filesystems are unpacked: <c>/var/lib/tappaas/rootfs/&lt;site key&gt;</c>, outside the site folder because
    /// root in a guest (an unprivileged host id) must reach its root filesystem through folders anyone may pass, and a
    /// site folder is usually under a private home. They are a cache: each is unpacked again from the store's blobs.
    /// </summary>
    public string Unpacked { get; } = unpackedFolder ?? Path.Combine("/var/lib/tappaas/rootfs", SiteKey(siteFolder));

    /// <summary>A short stable name for a site folder (two sites on a host keep their unpacked images apart).</summary>
    public static string SiteKey(string siteFolder) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(siteFolder))))[..12];

    /// <summary>The registry credentials file <c>tappaas registry login</c> writes (containers' auth.json format), in the secret store's folder.</summary>
    public string AuthFile => Path.Combine(siteFolder, "secrets", "registry-auth.json");

    /// <summary>
    /// Checks credentials with the registry (<c>skopeo login</c>, the password on its standard input) and keeps them in
    /// <see cref="AuthFile"/> (0600, containers' auth.json format) for later pulls; null when accepted, else why not.
    /// </summary>
    public async Task<string?> LoginAsync(string registry, string username, string password, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(AuthFile)!);
        var insecure = site.Registries.Any(r => r.Insecure && string.Equals(r.Location, registry, StringComparison.OrdinalIgnoreCase));
        var (code, output) = await RunAsync("skopeo", ["login", "--authfile", AuthFile, .. insecure ? new[] { "--tls-verify=false" } : [], "--username", username, "--password-stdin", registry],
            cancellationToken, password + "\n");
        if (File.Exists(AuthFile) && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(AuthFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return code == 0 ? null : $"{registry}: {Cause(output)}";
    }

    /// <summary>Forgets a registry's credentials; false when there were none.</summary>
    public async Task<bool> LogoutAsync(string registry, CancellationToken cancellationToken) =>
        File.Exists(AuthFile) && (await RunAsync("skopeo", ["logout", "--authfile", AuthFile, registry], cancellationToken)).Item1 == 0;

    /// <summary>The manifest digest the reference names now (its own digest when it pins one), checked to be for this host.</summary>
    public async Task<string> ResolveAsync(ImageReference image, CancellationToken cancellationToken)
    {
        if (image.Digest is { } pinned && Has(pinned))
        {
            return pinned;
        }

        var (code, output) = await SkopeoAsync(["inspect", .. TlsFlag(image, "--tls-verify"), .. AuthFlags(), "docker://" + image.Canonical], cancellationToken);
        if (code != 0)
        {
            var cause = Cause(output);
            throw new ImageException(cause.Contains("unauthorized", StringComparison.OrdinalIgnoreCase) || cause.Contains("authentication required", StringComparison.OrdinalIgnoreCase)
                ? $"cannot find image {image}: the registry asks for credentials ({cause}); log in with: printf %s \"$PASSWORD\" | tappaas registry login {image.Registry} -u USER"
                : $"cannot find image {image}: {cause}");
        }

        var info = JsonNode.Parse(output) as JsonObject ?? throw new ImageException($"skopeo inspect of {image} printed no JSON");
        var digest = (string?)info["Digest"] ?? throw new ImageException($"the registry gave no digest for {image}");
        CheckPlatform(image, (string?)info["Architecture"] ?? "", (string?)info["Os"] ?? "");
        return digest;
    }

    /// <summary>Pulls the image at <paramref name="digest"/> into the store unless it is there; returns it.</summary>
    public async Task<StoredImage> PullAsync(ImageReference image, string digest, Action<string>? progress, CancellationToken cancellationToken)
    {
        var exact = image.At(digest);
        Directory.CreateDirectory(Pulls);
        using (await StoreLock.TakeAsync(Path.Combine(Root, ".lock"), cancellationToken))
        {
            RemoveAbandonedPulls();
            if (!Has(digest))
            {
                var pull = Path.Combine(Pulls, $"{Hex(digest)}.{Environment.ProcessId}");
                DeleteTree(pull);
                try
                {
                    progress?.Invoke($"pulling {exact}");
                    var (code, output) = await SkopeoAsync(["copy", "--quiet", .. TlsFlag(image, "--src-tls-verify"), .. AuthFlags("--src-authfile"), "docker://" + exact.Canonical, $"oci:{pull}:{Hex(digest)}"], cancellationToken);
                    if (code != 0)
                    {
                        throw new ImageException($"cannot pull image {exact}: {Cause(output)}");
                    }

                    Adopt(pull, digest);
                    progress?.Invoke($"pulled {exact} ({Size(digest) / 1024} KiB)");
                }
                finally
                {
                    DeleteTree(pull);
                }
            }
        }

        var config = Config(digest);
        CheckPlatform(image, config.Architecture, config.Os);
        return new StoredImage(exact, digest, config, Size(digest));
    }

    /// <summary>
    /// Deletes what pulls of processes that no longer run left (a CLI or daemon killed in the middle of one): their
    /// blobs never reached the layout, so the store stays as it was before they began.
    /// </summary>
    private void RemoveAbandonedPulls()
    {
        foreach (var dir in Directory.GetDirectories(Pulls))
        {
            var pid = Path.GetExtension(dir).TrimStart('.');
            if (!int.TryParse(pid, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) || p == Environment.ProcessId || !Directory.Exists($"/proc/{p}"))
            {
                DeleteTree(dir);
            }
        }
    }

    /// <summary>The root filesystem of the image with its files owned from <paramref name="hostUid"/> (guest id 0) up, unpacked once.</summary>
    public async Task<string> RootFsAsync(string digest, long hostUid, CancellationToken cancellationToken)
    {
        var final = Path.Combine(Unpacked, $"{Hex(digest)}-{hostUid}");
        if (File.Exists(Path.Combine(final, ".complete")))
        {
            return Path.Combine(final, "rootfs");
        }

        using (await StoreLock.TakeAsync(Path.Combine(Root, ".lock"), cancellationToken))
        {
            if (File.Exists(Path.Combine(final, ".complete")))
            {
                return Path.Combine(final, "rootfs");
            }

            Directory.CreateDirectory(Unpacked);
            var work = final + ".unpacking";
            DeleteTree(work);
            DeleteTree(final);
            var map = $"0:{hostUid}:{Guests.Oci.RuntimeSpec.IdsPerGuest}";
            var (code, output) = await RunAsync("umoci", ["unpack", "--uid-map", map, "--gid-map", map, "--image", $"{Layout}:{Hex(digest)}", work], cancellationToken);
            if (code != 0)
            {
                DeleteTree(work);
                throw new ImageException($"cannot unpack image {digest}: {Cause(output)}");
            }

            Directory.Move(work, final);
            File.WriteAllText(Path.Combine(final, ".complete"), digest);
            // Root in the guest (an unprivileged host id) must reach its root filesystem through these folders.
            for (var dir = final; dir.Length > 1 && !OperatingSystem.IsWindows(); dir = Path.GetDirectoryName(dir)!)
            {
                File.SetUnixFileMode(dir, File.GetUnixFileMode(dir) | UnixFileMode.OtherExecute);
                if (dir == "/var/lib" || dir == Path.GetDirectoryName(Unpacked))
                {
                    break;
                }
            }

            return Path.Combine(final, "rootfs");
        }
    }

    /// <summary>True when the store holds the image's manifest.</summary>
    public bool Has(string digest) => Index().Any(m => (string?)m["digest"] == digest) && File.Exists(Blob(digest));

    /// <summary>Every image in the store: digest and bytes (its manifest, config and layers).</summary>
    public IReadOnlyList<(string Digest, long Bytes)> List() => [.. Index().Select(m => (string?)m["digest"]).OfType<string>().Where(d => File.Exists(Blob(d))).Select(d => (d, Size(d)))];

    /// <summary>Removes the images not in <paramref name="keep"/>, their unpacked root filesystems and the blobs no kept image uses; returns the digests removed.</summary>
    public async Task<IReadOnlyList<string>> PruneAsync(IReadOnlySet<string> keep, CancellationToken cancellationToken)
    {
        using var held = await StoreLock.TakeAsync(Path.Combine(Root, ".lock"), cancellationToken);
        var removed = List().Select(i => i.Digest).Where(d => !keep.Contains(d)).ToList();
        var manifests = Index().Where(m => keep.Contains((string?)m["digest"] ?? "")).Select(m => m.DeepClone()).ToList();
        WriteIndex(manifests);
        var used = new HashSet<string>(keep.SelectMany(d => Has(d) || File.Exists(Blob(d)) ? BlobsOf(d) : []), StringComparer.Ordinal);
        foreach (var blob in Directory.Exists(Path.Combine(Layout, "blobs", "sha256")) ? Directory.GetFiles(Path.Combine(Layout, "blobs", "sha256")) : [])
        {
            if (!used.Contains("sha256:" + Path.GetFileName(blob)))
            {
                File.Delete(blob);
            }
        }

        foreach (var dir in Directory.Exists(Unpacked) ? Directory.GetDirectories(Unpacked) : [])
        {
            if (!keep.Any(d => Path.GetFileName(dir).StartsWith(Hex(d) + "-", StringComparison.Ordinal)) || dir.EndsWith(".unpacking", StringComparison.Ordinal))
            {
                DeleteTree(dir);
            }
        }

        return removed;
    }

    /// <summary>The image's config (entrypoint, env, volumes, platform) from its manifest.</summary>
    public ImageConfig Config(string digest)
    {
        var manifest = ReadBlob(digest);
        var configDigest = (string?)manifest["config"]?["digest"] ?? throw new ImageException($"image {digest} has a manifest without a config");
        return ImageConfig.Parse(ReadBlob(configDigest));
    }

    private IEnumerable<string> BlobsOf(string digest)
    {
        yield return digest;
        if (!File.Exists(Blob(digest)))
        {
            yield break;
        }

        var manifest = ReadBlob(digest);
        if ((string?)manifest["config"]?["digest"] is { } config)
        {
            yield return config;
        }

        foreach (var layer in (manifest["layers"] as JsonArray ?? []).Select(l => (string?)l?["digest"]).OfType<string>())
        {
            yield return layer;
        }
    }

    private long Size(string digest) => BlobsOf(digest).Distinct().Select(Blob).Where(File.Exists).Sum(f => new FileInfo(f).Length);

    /// <summary>Moves a completed pull's blobs into the shared layout (each once) and adds its manifest to the index.</summary>
    private void Adopt(string pull, string digest)
    {
        var blobs = Path.Combine(Layout, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        if (!File.Exists(Path.Combine(Layout, "oci-layout")))
        {
            AtomicFile.Write(Path.Combine(Layout, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        }

        foreach (var blob in Directory.GetFiles(Path.Combine(pull, "blobs", "sha256")))
        {
            var target = Path.Combine(blobs, Path.GetFileName(blob));
            if (!File.Exists(target))
            {
                File.Move(blob, target);
            }
        }

        var pulled = (JsonNode.Parse(File.ReadAllText(Path.Combine(pull, "index.json")))?["manifests"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(m => (string?)m["digest"] == digest) ?? throw new ImageException($"the pull of {digest} did not write its manifest");
        var manifests = Index().Where(m => (string?)m["digest"] != digest).Select(m => m.DeepClone()).Append(pulled.DeepClone()).ToList();
        WriteIndex(manifests);
    }

    private void WriteIndex(IEnumerable<JsonNode> manifests) =>
        AtomicFile.Write(Path.Combine(Layout, "index.json"), new JsonObject { ["schemaVersion"] = 2, ["manifests"] = new JsonArray([.. manifests]) }.ToJsonString());

    private List<JsonObject> Index()
    {
        var file = Path.Combine(Layout, "index.json");
        return File.Exists(file) ? [.. (JsonNode.Parse(File.ReadAllText(file))?["manifests"] as JsonArray ?? []).OfType<JsonObject>()] : [];
    }

    private JsonObject ReadBlob(string digest) =>
        JsonNode.Parse(File.ReadAllText(Blob(digest))) as JsonObject ?? throw new ImageException($"blob {digest} is not a JSON object");

    private string Blob(string digest) => Path.Combine(Layout, "blobs", "sha256", Hex(digest));

    private static string Hex(string digest) => digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest[7..] : digest;

    private static void CheckPlatform(ImageReference image, string architecture, string os)
    {
        var host = Guests.Oci.SeccompProfile.HostArch;
        if (architecture.Length > 0 && architecture != host || os.Length > 0 && os != "linux")
        {
            throw new ImageException($"image {image} is for {os}/{architecture}; this host runs linux/{host}: use a tag built for linux/{host} (or a multi-platform image)");
        }
    }

    private IEnumerable<string> TlsFlag(ImageReference image, string flag) =>
        site.Registries.Any(r => r.Insecure && string.Equals(r.Location, image.Registry, StringComparison.OrdinalIgnoreCase)) ? [$"{flag}=false"] : [];

    private IEnumerable<string> AuthFlags(string flag = "--authfile") => File.Exists(AuthFile) ? [flag, AuthFile] : [];

    /// <summary>skopeo's last error line without its log prefix, for a message.</summary>
    private static string Cause(string output)
    {
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no output";
        var msg = line.IndexOf("msg=\"", StringComparison.Ordinal);
        return msg >= 0 ? line[(msg + 5)..].TrimEnd('"') : line;
    }

    private static Task<(int, string)> SkopeoAsync(IReadOnlyList<string> args, CancellationToken cancellationToken) => RunAsync("skopeo", args, cancellationToken);

    private static async Task<(int, string)> RunAsync(string tool, IReadOnlyList<string> args, CancellationToken cancellationToken, string? input = null)
    {
        var psi = new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new ImageException($"cannot start {tool}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new ImageException($"{tool} is not installed; install it with: apt-get install {tool}");
        }

        using (p)
        {
            if (input is not null)
            {
                await p.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
                p.StandardInput.Close();
            }

            var stdout = p.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = p.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await p.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                throw;
            }

            var (o, e) = (await stdout, await stderr);
            return (p.ExitCode, p.ExitCode == 0 ? o : (e.Length > 0 ? e : o));
        }
    }

    private static void DeleteTree(string dir)
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>An exclusive lock on a file (flock), taken by polling, released when disposed.</summary>
internal static class StoreLock
{
    public static async Task<IDisposable> TakeAsync(string file, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        while (true)
        {
            try
            {
                return new FileStream(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }
}
