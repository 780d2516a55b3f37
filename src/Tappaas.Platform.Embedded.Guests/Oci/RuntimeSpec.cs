using System.Text.Json.Nodes;

namespace Tappaas.Platform.Embedded.Guests.Oci;

/// <summary>
/// A bind mount into a guest: a host path at a guest path, read-only (recursively: mounts below it too) or not. A null
/// <paramref name="HostPath"/> is an empty tmpfs that only root may write: it hides what the path holds on the host.
/// </summary>
public sealed record GuestMount(string? HostPath, string GuestPath, bool ReadOnly);

/// <summary>What a guest's runtime spec is made of, resolved by the platform (image config merged with the module).</summary>
public sealed record RuntimeSpecInput
{
    public required string RootFs { get; init; }

    public required IReadOnlyList<string> Args { get; init; }

    public required string Cwd { get; init; }

    public long Uid { get; init; }

    public long Gid { get; init; }

    public IReadOnlyList<long> AdditionalGids { get; init; } = [];

    public required string Hostname { get; init; }

    /// <summary>The guest's network namespace (<c>/run/netns/…</c>); null for a private one with loopback only.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>The host id that is 0 in the guest (65536 ids are mapped from it).</summary>
    public long HostUid { get; init; }

    public long MemoryBytes { get; init; }

    /// <summary>Whether the host accounts swap in cgroups (then memory plus swap is held to the same limit: no swapping past it).</summary>
    public bool LimitSwap { get; init; }

    public int Cores { get; init; }

    /// <summary>The cgroup (e.g. <c>/tappaas/web-0</c>), the same path the platform reads usage and OOM kills from.</summary>
    public required string CgroupsPath { get; init; }

    public IReadOnlyList<GuestMount> Mounts { get; init; } = [];

    /// <summary>Whether guest ids are mapped from <see cref="HostUid"/> in a user namespace; without one the process runs as host uid <see cref="Uid"/>.</summary>
    public bool UserNamespace { get; init; } = true;

    /// <summary>The process's capabilities; null for <see cref="RuntimeSpec.DefaultCapabilities"/>.</summary>
    public IReadOnlyList<string>? Capabilities { get; init; }

    /// <summary>Kernel parameters of the guest's namespaces (e.g. <c>net.ipv4.ip_unprivileged_port_start</c>).</summary>
    public IReadOnlyDictionary<string, string> Sysctl { get; init; } = new Dictionary<string, string>();

    /// <summary>The runtime spec's seccomp section (<see cref="SeccompProfile.ForRuntime"/>); null runs without a filter.</summary>
    public JsonObject? Seccomp { get; init; }
}

/// <summary>
/// Generates a guest's OCI runtime spec: a user namespace (guest ids 0–65535 are host ids from
/// <see cref="RuntimeSpecInput.HostUid"/>) unless the process runs as an unprivileged host uid, the zone's network
/// namespace, private PID/IPC/UTS/mount/cgroup namespaces, a read-only root with private writable <c>/tmp</c> and
/// <c>/run</c>, Docker's and Podman's default capabilities (or the ones given), the default seccomp profile, <c>noNewPrivileges</c>, masked and read-only kernel paths, and cgroup limits from cores and memory.
/// </summary>
public static class RuntimeSpec
{
    /// <summary>The capabilities Docker and Podman grant a container by default.</summary>
    public static readonly IReadOnlyList<string> DefaultCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    public const long IdsPerGuest = 65536;

    private static readonly string[] s_masked =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
        "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ];

    private static readonly string[] s_readOnly = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    public static JsonObject Build(RuntimeSpecInput input)
    {
        var caps = new JsonArray([.. (input.Capabilities ?? DefaultCapabilities).Select(c => (JsonNode)c)]);
        var namespaces = new JsonArray
        {
            (JsonNode)new JsonObject { ["type"] = "pid" },
            (JsonNode)new JsonObject { ["type"] = "ipc" },
            (JsonNode)new JsonObject { ["type"] = "uts" },
            (JsonNode)new JsonObject { ["type"] = "mount" },
            (JsonNode)new JsonObject { ["type"] = "cgroup" },
            (JsonNode)(input.NetworkNamespace is { } ns ? new JsonObject { ["type"] = "network", ["path"] = ns } : new JsonObject { ["type"] = "network" }),
        };
        if (input.UserNamespace)
        {
            namespaces.Add((JsonNode)new JsonObject { ["type"] = "user" });
        }

        var mounts = new JsonArray
        {
            Mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"),
            Mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
            Mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"),
            Mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
            Mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
            // The network namespace belongs to the host, not to the guest's user namespace: sysfs cannot be mounted anew there.
            Mount("/sys", "bind", "/sys", "rbind", "nosuid", "noexec", "nodev", "ro"),
            Mount("/tmp", "tmpfs", "tmpfs", "nosuid", "nodev", "mode=1777"),
            Mount("/run", "tmpfs", "tmpfs", "nosuid", "nodev", "mode=755"),
        };
        foreach (var m in input.Mounts)
        {
            mounts.Add(m.HostPath is null
                ? Mount(m.GuestPath, "tmpfs", "tmpfs", "nosuid", "nodev", "noexec", "mode=755", "size=64k")
                : Mount(m.GuestPath, "bind", m.HostPath, [.. new[] { "rbind", "nosuid", "nodev" }, m.ReadOnly ? "rro" : "rw"]));
        }

        var resources = new JsonObject
        {
            ["memory"] = input.LimitSwap ? new JsonObject { ["limit"] = input.MemoryBytes, ["swap"] = input.MemoryBytes } : new JsonObject { ["limit"] = input.MemoryBytes },
            ["cpu"] = new JsonObject { ["quota"] = input.Cores * 100_000L, ["period"] = 100_000UL },
            ["pids"] = new JsonObject { ["limit"] = 4096 },
        };
        var linux = new JsonObject
        {
            ["namespaces"] = namespaces,
            ["cgroupsPath"] = input.CgroupsPath,
            ["resources"] = resources,
            ["maskedPaths"] = new JsonArray([.. s_masked.Select(p => (JsonNode)p)]),
            ["readonlyPaths"] = new JsonArray([.. s_readOnly.Select(p => (JsonNode)p)]),
        };
        if (input.UserNamespace)
        {
            linux["uidMappings"] = new JsonArray { (JsonNode)new JsonObject { ["containerID"] = 0, ["hostID"] = input.HostUid, ["size"] = IdsPerGuest } };
            linux["gidMappings"] = new JsonArray { (JsonNode)new JsonObject { ["containerID"] = 0, ["hostID"] = input.HostUid, ["size"] = IdsPerGuest } };
        }

        if (input.Sysctl.Count > 0)
        {
            linux["sysctl"] = new JsonObject([.. input.Sysctl.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]);
        }

        if (input.Seccomp is { } seccomp)
        {
            linux["seccomp"] = seccomp.DeepClone();
        }

        var user = new JsonObject { ["uid"] = input.Uid, ["gid"] = input.Gid };
        if (input.AdditionalGids.Count > 0)
        {
            user["additionalGids"] = new JsonArray([.. input.AdditionalGids.Select(g => (JsonNode)g)]);
        }

        return new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["process"] = new JsonObject
            {
                ["terminal"] = false,
                ["user"] = user,
                ["args"] = new JsonArray([.. input.Args.Select(a => (JsonNode)a)]),
                ["env"] = new JsonArray(),
                ["cwd"] = input.Cwd,
                ["capabilities"] = new JsonObject { ["bounding"] = caps.DeepClone(), ["effective"] = caps.DeepClone(), ["permitted"] = caps.DeepClone() },
                ["noNewPrivileges"] = true,
            },
            ["root"] = new JsonObject { ["path"] = input.RootFs, ["readonly"] = true },
            ["hostname"] = input.Hostname,
            ["mounts"] = mounts,
            ["linux"] = linux,
        };
    }

    /// <summary>The spec with the environment set (image's, then the module's over it by name).</summary>
    public static JsonObject WithEnvironment(JsonObject spec, IReadOnlyList<string> imageEnv, IReadOnlyDictionary<string, string> environment)
    {
        var merged = new List<string>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in imageEnv.Concat(environment.Select(kv => $"{kv.Key}={kv.Value}")))
        {
            var name = entry.Split('=', 2)[0];
            if (names.TryGetValue(name, out var at))
            {
                merged[at] = entry;
            }
            else
            {
                names[name] = merged.Count;
                merged.Add(entry);
            }
        }

        var copy = (JsonObject)spec.DeepClone();
        copy["process"]!["env"] = new JsonArray([.. merged.Select(e => (JsonNode)e)]);
        return copy;
    }

    private static JsonNode Mount(string destination, string type, string source, params string[] options) => new JsonObject()
    {
        ["destination"] = destination, ["type"] = type, ["source"] = source, ["options"] = new JsonArray([.. options.Select(o => (JsonNode)o)]),
    };
}
