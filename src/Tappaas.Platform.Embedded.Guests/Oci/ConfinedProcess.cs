using System.Text.Json.Nodes;

namespace Tappaas.Platform.Embedded.Guests.Oci;

/// <summary>What a process guest's container is made of, resolved by the platform.</summary>
public sealed record ConfinedProcessInput
{
    /// <summary>The module's release folder: the guest's own files, read-only at <see cref="ConfinedProcess.AppPath"/>.</summary>
    public required string ModuleFolder { get; init; }

    /// <summary>The working folder on the host: the module folder or a folder inside it.</summary>
    public required string WorkingDir { get; init; }

    /// <summary>The guest's disk, writable at <see cref="ConfinedProcess.DataPath"/>.</summary>
    public required string DataDir { get; init; }

    /// <summary>Host paths the guest must not see (the site folder, unpacked images): each is an empty tmpfs in the guest.</summary>
    public IReadOnlyList<string> Hidden { get; init; } = [];

    /// <summary>Files bound read-only over the guest's <c>/etc</c> (its zone's <c>resolv.conf</c> and <c>hosts</c>), by name.</summary>
    public IReadOnlyList<string> EtcFiles { get; init; } = [];

    /// <summary>The unprivileged host uid (and gid) the workload runs as: the module's own.</summary>
    public required long Uid { get; init; }

    /// <summary>The runtime spec's rest: command, hostname, network namespace, cgroup and limits, seccomp.</summary>
    public required RuntimeSpecInput Runtime { get; init; }
}

/// <summary>
/// A process guest confined by the OCI runtime: the workload runs as the module's own unprivileged host uid with no
/// capabilities, <c>noNewPrivileges</c> and the default seccomp profile, in its own network, mount, PID, IPC, UTS and
/// cgroup namespaces. Its root is a read-only view of the host's folders (<c>/proc</c>, <c>/dev</c>, <c>/sys</c>,
/// <c>/tmp</c> and <c>/run</c> are its own) in which the site folder and every other hidden path is an empty tmpfs, so
/// no guest sees the site's secrets, state, repository, other guests' disks or <c>/run/netns</c>; its module folder is
/// read-only at <see cref="AppPath"/> and its disk writable at <see cref="DataPath"/>. A shell is the guest's PID 1: it
/// forwards SIGTERM to the workload (the kernel drops signals a namespace's init has no handler for).
/// </summary>
public static class ConfinedProcess
{
    /// <summary>Where the guest sees its module folder (read-only).</summary>
    public const string AppPath = "/app";

    /// <summary>Where the guest sees its disk (<c>TAPPAAS_DATA</c>).</summary>
    public const string DataPath = "/data";

    /// <summary>The environment every confined guest starts from (the module's is added over it).</summary>
    public static readonly IReadOnlyList<string> BaseEnvironment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp", "LANG=C.UTF-8"];

    /// <summary>The host's top-level entries the guest gets anew rather than from the host.</summary>
    private static readonly HashSet<string> s_own = new(StringComparer.Ordinal) { "proc", "sys", "dev", "run", "tmp", "lost+found", "app", "data" };

    private const string Init = "\"$@\" & c=$!; trap \"kill -TERM $c 2>/dev/null\" TERM INT; wait $c; s=$?; while kill -0 $c 2>/dev/null; do wait $c; s=$?; done; exit $s";

    /// <summary>The guest's working folder as the guest sees it, or null when <paramref name="workingDir"/> lies outside the module folder.</summary>
    public static string? GuestWorkingDir(string moduleFolder, string workingDir)
    {
        var relative = Path.GetRelativePath(moduleFolder, workingDir);
        return relative == "." ? AppPath
            : relative == ".." || relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? null
            : $"{AppPath}/{relative}";
    }

    /// <summary>The runtime spec, whose root is <paramref name="rootFs"/> (laid out by <see cref="LayOut"/> before each start).</summary>
    public static JsonObject Build(ConfinedProcessInput input, string rootFs)
    {
        var cwd = GuestWorkingDir(input.ModuleFolder, input.WorkingDir)
            ?? throw new ArgumentException($"the working folder {input.WorkingDir} is outside the module's folder {input.ModuleFolder}");
        var mounts = HostEntries().Where(e => e.LinkTarget is null && e is DirectoryInfo).Select(e => new GuestMount(e.FullName, e.FullName, ReadOnly: true)).ToList();
        foreach (var hidden in input.Hidden.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal))
        {
            var top = hidden.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (top is not null && !s_own.Contains(top) && Directory.Exists(hidden))
            {
                mounts.Add(new GuestMount(null, hidden, ReadOnly: true));
            }
        }

        mounts.Add(new GuestMount(input.ModuleFolder, AppPath, ReadOnly: true));
        mounts.Add(new GuestMount(input.DataDir, DataPath, ReadOnly: false));
        mounts.AddRange(input.EtcFiles.Where(File.Exists).Select(f => new GuestMount(f, "/etc/" + Path.GetFileName(f), ReadOnly: true)));
        var runtime = input.Runtime with
        {
            RootFs = rootFs, Cwd = cwd, Uid = input.Uid, Gid = input.Uid, AdditionalGids = [], UserNamespace = false, Capabilities = [],
            Args = ["/bin/sh", "-c", Init, "tappaas-init", .. input.Runtime.Args], Mounts = [.. mounts, .. input.Runtime.Mounts],
            Sysctl = new Dictionary<string, string>(input.Runtime.Sysctl) { ["net.ipv4.ip_unprivileged_port_start"] = "0" },
        };
        return RuntimeSpec.Build(runtime);
    }

    /// <summary>
    /// Lays out <paramref name="rootFs"/> as the skeleton of the host's root: its top-level symbolic links as they are
    /// (<c>/bin → usr/bin</c>), its folders as empty mount points.
    /// </summary>
    public static void LayOut(string rootFs)
    {
        Directory.CreateDirectory(rootFs);
        foreach (var entry in HostEntries())
        {
            var inRoot = Path.Combine(rootFs, entry.Name);
            if (entry.LinkTarget is { } target)
            {
                if (new FileInfo(inRoot).LinkTarget != target)
                {
                    File.Delete(inRoot);
                    File.CreateSymbolicLink(inRoot, target);
                }
            }
            else if (entry is DirectoryInfo)
            {
                Directory.CreateDirectory(inRoot);
            }
        }
    }

    /// <summary>The host's top-level entries the guest sees, by name.</summary>
    private static IEnumerable<FileSystemInfo> HostEntries() =>
        new DirectoryInfo("/").EnumerateFileSystemInfos().Where(e => !s_own.Contains(e.Name)).OrderBy(e => e.Name, StringComparer.Ordinal);
}
