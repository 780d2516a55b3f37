using System.Collections.Concurrent;
using Tappaas.Abstractions.Providers;
using Tappaas.Model.Images;
using Tappaas.Model.Modules;
using Tappaas.Model.Resolved;
using Tappaas.Model.Site;
using Tappaas.Platform.Embedded.Guests;
using Tappaas.Platform.Embedded.Guests.Cgroups;
using Tappaas.Platform.Embedded.Guests.Drivers;
using Tappaas.Platform.Embedded.Guests.Oci;
using Tappaas.Platform.Embedded.Images;

namespace Tappaas.Platform.Embedded;

/// <summary>
/// Image guests (<c>imageType: "oci"</c>): before the guests converge, the image's tag is resolved to a digest, the
/// image pulled into the site's store (once) and unpacked for the module's host id range (once); each guest's spec then
/// carries the runtime spec of its container (the image's entrypoint, command, environment, working folder and user
/// unless the workload says otherwise; its volumes on the module's disk).
/// </summary>
public sealed partial class EmbeddedVmProvider
{
    /// <summary>An image ready to run for a module: in the store, unpacked for the module's ids.</summary>
    private sealed record PreparedImage(StoredImage Image, string RootFs, long HostUid);

    private readonly ConcurrentDictionary<string, PreparedImage> _images = new(StringComparer.Ordinal);

    /// <summary>The site's image store.</summary>
    public ImageStore Images => new(_siteFolder, SiteSnapshot.Read(Path.Combine(_siteFolder, "config")), platform.UnpackedImages);

    /// <summary>Pulls and unpacks the module's image (an image module only); a failure says which module, which image and what to do.</summary>
    private async Task<OperationResult?> PrepareImageAsync(ModuleDefinition module, Action<string>? progress, CancellationToken ct)
    {
        if (module.Text("imageType") != "oci")
        {
            return null;
        }

        if (!_isolate)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"module \"{module.Name}\" runs an OCI image, which needs root on this host (user namespaces, network namespaces and runc); run tappaas as root");
        }

        var reference = ImageReference.TryParse(module.Text("image"), out var problem);
        if (reference is null)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"module \"{module.Name}\": image \"{module.Text("image")}\" {problem}");
        }

        // The digest the engine pinned at install or update (the revision's), else what the tag names now.
        if (reference.Digest is null && module.Text("imageDigest") is { } pinned && ImageReference.DigestPattern().IsMatch(pinned))
        {
            reference = reference.At(pinned);
        }

        try
        {
            var store = Images;
            // A pinned digest (the engine resolved the tag moments ago, or the module names one) is pulled as it is; the
            // pull checks the image's platform. Only a bare tag is resolved here.
            var digest = reference.Digest ?? await store.ResolveAsync(reference, ct);
            var image = await store.PullAsync(reference, digest, progress, ct);
            var hostUid = new HostIds(_siteFolder).For(module.Name);
            var rootfs = await store.RootFsAsync(digest, hostUid, ct);
            _images[module.Name] = new PreparedImage(image, rootfs, hostUid);
            return null;
        }
        catch (ImageException ex)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"module \"{module.Name}\": {ex.Message}; the running guests keep running");
        }
    }

    /// <summary>An image guest's spec: the process spec made into a container of the prepared image.</summary>
    private GuestSpecFile ImageGuest(GuestSpecFile spec, ModuleDefinition module, ResolvedWorkload workload, bool provision)
    {
        var prepared = _images.GetValueOrDefault(module.Name) ?? throw new InvalidOperationException($"the image of {module.Name} was not prepared");
        var config = prepared.Image.Config;
        var args = workload.Command is { } command ? [command, .. spec.Args] : (IReadOnlyList<string>)[.. config.Entrypoint, .. workload.ArgsGiven ? spec.Args : config.Cmd];
        if (args.Count == 0)
        {
            throw new ArgumentException($"image {prepared.Image.Reference} has no ENTRYPOINT or CMD; set workload.command to the program to run");
        }

        var pathVar = config.Env.Concat(spec.Env.Select(kv => $"{kv.Key}={kv.Value}")).LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..]
            ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        if (!ImageFiles.Executable(prepared.RootFs, args[0], pathVar))
        {
            throw new ArgumentException($"image {prepared.Image.Reference} has no program \"{args[0]}\" (looked in {(args[0].Contains('/', StringComparison.Ordinal) ? "the image" : "PATH " + pathVar)}); set workload.command to a program the image has");
        }

        var (uid, gid) = ImageFiles.User(prepared.RootFs, workload.User ?? config.User);
        var guestDir = _runtime.GuestDir(spec.Guest);
        var etc = Path.Combine(guestDir, "etc");
        var mounts = new List<GuestMount>
        {
            new(Path.Combine(etc, "hostname"), "/etc/hostname", true),
            new(Path.Combine(etc, "hosts"), "/etc/hosts", true),
            new(Path.Combine("/etc/netns", spec.Namespace!, "resolv.conf"), "/etc/resolv.conf", true),
        };
        var disk = spec.DataDir!;
        foreach (var volume in (workload.Volumes ?? config.Volumes).Distinct(StringComparer.Ordinal))
        {
            var host = Path.Combine(disk, "volumes", volume.Trim('/'));
            if (provision)
            {
                ImageFiles.SeedVolume(prepared.RootFs, volume, host, prepared.HostUid + uid, prepared.HostUid + gid);
            }

            mounts.Add(new GuestMount(host, volume, false));
        }

        if (provision)
        {
            Directory.CreateDirectory(etc);
            File.WriteAllText(Path.Combine(etc, "hostname"), spec.Guest + "\n");
            var zone = module.Zone0;
            File.WriteAllText(Path.Combine(etc, "hosts"), $"127.0.0.1 localhost\n{spec.Address} {spec.Guest} {spec.Hostname}.{zone}.internal {spec.Hostname}\n");
        }

        var cgroupMode = spec.CgroupMode;
        var runtimeSpec = RuntimeSpec.Build(new RuntimeSpecInput
        {
            RootFs = prepared.RootFs, Args = args, Cwd = workload.WorkingDir ?? config.WorkingDir ?? "/", Uid = uid, Gid = gid, Hostname = spec.Guest,
            NetworkNamespace = $"/run/netns/{spec.Namespace}", HostUid = prepared.HostUid, MemoryBytes = spec.MemoryMiB * 1024 * 1024, Cores = spec.Cores,
            LimitSwap = cgroupMode == CgroupMode.V1 && File.Exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"),
            CgroupsPath = $"/tappaas/{spec.CgroupName}", Mounts = mounts, Seccomp = Seccomp.Value,
        });
        var env = new Dictionary<string, string>(spec.Env);
        env.Remove("TAPPAAS_DATA"); // a host path; the guest has its volumes
        return spec with
        {
            Driver = GuestDrivers.Oci, Command = args[0], Args = [.. args.Skip(1)], Env = env, WorkingDir = (string)runtimeSpec["process"]!["cwd"]!,
            Oci = new OciGuest
            {
                RuntimeSpec = runtimeSpec, ImageEnv = config.Env, RuntimeRoot = Path.Combine(_siteFolder, "run", "runc"), ContainerId = spec.Guest,
                Bundle = Path.Combine(guestDir, "bundle"), Image = prepared.Image.Reference.Canonical, HostUid = prepared.HostUid,
            },
        };
    }

    /// <summary>
    /// Frees a removed image module's host id range. Its unpacked root filesystems stay as a cache (a module installed
    /// again with the same range starts without unpacking); <c>tappaas images prune</c> removes those of unused images.
    /// </summary>
    private void ForgetImageModule(string module)
    {
        new HostIds(_siteFolder).Release(module);
        _images.TryRemove(module, out _);
    }

    private static readonly Lazy<System.Text.Json.Nodes.JsonObject?> Seccomp = new(() =>
        SeccompProfile.Load() is { } profile ? SeccompProfile.ForRuntime(profile, RuntimeSpec.DefaultCapabilities, SeccompProfile.HostArch, SeccompProfile.HostKernel()) : null);
}
