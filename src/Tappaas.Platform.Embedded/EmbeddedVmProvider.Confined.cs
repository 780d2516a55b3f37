using System.Diagnostics;
using Tappaas.Platform.Embedded.Guests;
using Tappaas.Platform.Embedded.Guests.Cgroups;
using Tappaas.Platform.Embedded.Guests.Oci;
using Tappaas.Platform.Embedded.Images;

namespace Tappaas.Platform.Embedded;

/// <summary>
/// Process guests with isolation are confined (<see cref="ConfinedProcess"/>): the guest's spec carries the runtime spec
/// of a container that runs the module's command as the module's own host uid (the first id of its range in
/// <see cref="HostIds"/>), whose disk it owns; the site folder and the unpacked images are hidden from it.
/// </summary>
public sealed partial class EmbeddedVmProvider
{
    /// <summary>A process guest's spec made into its confined container's.</summary>
    private GuestSpecFile ConfinedGuest(GuestSpecFile spec, string moduleFolder, bool provision)
    {
        var seccomp = NoCapabilitiesSeccomp.Value ?? throw new ArgumentException(
            $"process guests run under the default seccomp profile, and {SeccompProfile.DefaultFile} is missing; install it with: apt-get install golang-github-containers-common");
        if (ConfinedProcess.GuestWorkingDir(moduleFolder, spec.WorkingDir) is null)
        {
            throw new ArgumentException($"module \"{spec.Module}\": workload.workingDir {spec.WorkingDir} is outside the module's folder {moduleFolder}; a guest sees only its own folder");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(moduleFolder) & (UnixFileMode.OtherRead | UnixFileMode.OtherExecute)) != (UnixFileMode.OtherRead | UnixFileMode.OtherExecute))
        {
            throw new ArgumentException($"module \"{spec.Module}\": its folder {moduleFolder} is not readable by others, so not by its guest, which runs as a uid of its own; make it so: chmod -R o+rX {moduleFolder}");
        }

        var uid = new HostIds(_siteFolder).For(spec.Module);
        var disk = spec.DataDir!;
        if (provision)
        {
            GiveDisk(disk, uid);
        }

        var guestDir = _runtime.GuestDir(spec.Guest);
        var netnsEtc = Path.Combine("/etc/netns", spec.Namespace!);
        var runtimeSpec = ConfinedProcess.Build(new ConfinedProcessInput
        {
            ModuleFolder = moduleFolder, WorkingDir = spec.WorkingDir, DataDir = disk, Uid = uid,
            Hidden = [_siteFolder, Path.GetDirectoryName(Images.Unpacked)!, "/var/lib/tappaas", "/etc/netns"],
            EtcFiles = [Path.Combine(netnsEtc, "resolv.conf"), Path.Combine(netnsEtc, "hosts")],
            Runtime = new RuntimeSpecInput
            {
                RootFs = "", Args = [spec.Command, .. spec.Args], Cwd = "/", Hostname = spec.Hostname, NetworkNamespace = $"/run/netns/{spec.Namespace}",
                MemoryBytes = spec.MemoryMiB * 1024 * 1024, Cores = spec.Cores, CgroupsPath = $"/tappaas/{spec.CgroupName}", Seccomp = seccomp,
                LimitSwap = spec.CgroupMode == CgroupMode.V1 && File.Exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"),
            },
        }, Path.Combine(guestDir, "bundle", "rootfs"));
        var env = new Dictionary<string, string>(spec.Env) { ["TAPPAAS_DATA"] = ConfinedProcess.DataPath };
        return spec with
        {
            Env = env, WorkingDir = (string)runtimeSpec["process"]!["cwd"]!,
            Oci = new OciGuest
            {
                RuntimeSpec = runtimeSpec, ImageEnv = ConfinedProcess.BaseEnvironment, RuntimeRoot = Path.Combine(_siteFolder, "run", "runc"),
                ContainerId = spec.Guest, Bundle = Path.Combine(guestDir, "bundle"), Image = "", HostUid = uid,
            },
        };
    }

    /// <summary>Gives the guest's disk, and everything on it that is not the module's yet (a restore, an earlier release's files), to its uid.</summary>
    private static void GiveDisk(string disk, long uid)
    {
        var id = uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var find = Process.Start(new ProcessStartInfo("find", [disk, "(", "!", "-uid", id, "-o", "!", "-gid", id, ")", "-exec", "chown", "-h", $"{id}:{id}", "{}", "+"])
        {
            RedirectStandardError = true,
        }) ?? throw new IOException("cannot run find");
        var error = find.StandardError.ReadToEnd();
        find.WaitForExit();
        if (find.ExitCode != 0)
        {
            throw new IOException($"cannot give the disk {disk} to the guest's uid {uid}: {error.Trim()}");
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(disk, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static readonly Lazy<System.Text.Json.Nodes.JsonObject?> NoCapabilitiesSeccomp = new(() =>
        SeccompProfile.Load() is { } profile ? SeccompProfile.ForRuntime(profile, [], SeccompProfile.HostArch, SeccompProfile.HostKernel()) : null);
}
