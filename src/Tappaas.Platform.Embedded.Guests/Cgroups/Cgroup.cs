using System.Globalization;


namespace Tappaas.Platform.Embedded.Guests.Cgroups;

/// <summary>
/// A guest's cgroup on cgroup v2 (<c>/sys/fs/cgroup/tappaas/&lt;guest&gt;</c>) or v1 (the same path under the memory,
/// cpu, cpuacct and freezer hierarchies): memory limit, CPU quota from cores, membership, OOM kill count, usage, freeze, kill-all.
/// </summary>
public sealed class Cgroup(CgroupMode mode, string name, string root = "/sys/fs/cgroup")
{
    public CgroupMode Mode { get; } = mode;

    public string Name { get; } = name;

    /// <summary>The hierarchy the host has: v2 when the unified mount offers the memory controller, else v1 when the memory hierarchy exists, else none.</summary>
    public static CgroupMode Detect(string root = "/sys/fs/cgroup")
    {
        if (Environment.UserName != "root")
        {
            return CgroupMode.None;
        }

        var controllers = Path.Combine(root, "cgroup.controllers");
        if (File.Exists(controllers) && File.ReadAllText(controllers).Split(' ', '\n').Contains("memory"))
        {
            return CgroupMode.V2;
        }

        return Directory.Exists(Path.Combine(root, "memory")) && File.Exists(Path.Combine(root, "memory", "cgroup.procs")) ? CgroupMode.V1 : CgroupMode.None;
    }

    /// <summary>The cgroup folders a process must join (one for v2; memory, cpu, cpuacct and freezer for v1).</summary>
    public IReadOnlyList<string> Dirs => Mode switch
    {
        CgroupMode.V2 => [Path.Combine(root, "tappaas", Name)],
        CgroupMode.V1 => [.. new[] { "memory", "cpu", "cpuacct", "freezer" }.Where(c => Directory.Exists(Path.Combine(root, c))).Select(c => Path.Combine(root, c, "tappaas", Name))],
        _ => [],
    };

    /// <summary>Creates the cgroup and sets the limits.</summary>
    public void Create(long memoryMiB, int cores)
    {
        if (Mode == CgroupMode.V2)
        {
            var parent = Path.Combine(root, "tappaas");
            Directory.CreateDirectory(parent);
            TryWrite(Path.Combine(root, "cgroup.subtree_control"), "+memory +cpu");
            TryWrite(Path.Combine(parent, "cgroup.subtree_control"), "+memory +cpu");
        }

        foreach (var dir in Dirs)
        {
            Directory.CreateDirectory(dir);
        }

        var bytes = (memoryMiB * 1024 * 1024).ToString(CultureInfo.InvariantCulture);
        var quota = (cores * 100_000).ToString(CultureInfo.InvariantCulture);
        switch (Mode)
        {
            case CgroupMode.V2:
                TryWrite(Path.Combine(Dirs[0], "memory.max"), bytes);
                TryWrite(Path.Combine(Dirs[0], "memory.swap.max"), "0");
                TryWrite(Path.Combine(Dirs[0], "cpu.max"), $"{quota} 100000");
                break;
            case CgroupMode.V1:
                // The memory limit may not exceed memory+swap: raising an existing cgroup's limit needs memsw first, lowering
                // it needs the limit first; writing limit, memsw, limit does both.
                TryWrite(Path.Combine(root, "memory", "tappaas", Name, "memory.limit_in_bytes"), bytes);
                TryWrite(Path.Combine(root, "memory", "tappaas", Name, "memory.memsw.limit_in_bytes"), bytes);
                TryWrite(Path.Combine(root, "memory", "tappaas", Name, "memory.limit_in_bytes"), bytes);
                TryWrite(Path.Combine(root, "cpu", "tappaas", Name, "cpu.cfs_period_us"), "100000");
                TryWrite(Path.Combine(root, "cpu", "tappaas", Name, "cpu.cfs_quota_us"), quota);
                break;
        }
    }

    /// <summary>How many times the kernel's OOM killer struck in this cgroup.</summary>
    public long OomKills()
    {
        var file = Mode switch
        {
            CgroupMode.V2 => Path.Combine(Dirs[0], "memory.events"),
            CgroupMode.V1 => Path.Combine(root, "memory", "tappaas", Name, "memory.oom_control"),
            _ => null,
        };
        if (file is null || !File.Exists(file))
        {
            return 0;
        }

        var line = File.ReadAllLines(file).FirstOrDefault(l => l.StartsWith("oom_kill ", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[9..], CultureInfo.InvariantCulture);
    }

    /// <summary>Memory in use, in bytes.</summary>
    public long MemoryBytes()
    {
        var file = Mode switch
        {
            CgroupMode.V2 => Path.Combine(Dirs[0], "memory.current"),
            CgroupMode.V1 => Path.Combine(root, "memory", "tappaas", Name, "memory.usage_in_bytes"),
            _ => null,
        };
        return file is not null && File.Exists(file) && long.TryParse(File.ReadAllText(file).Trim(), out var v) ? v : 0;
    }

    /// <summary>True when the guest's processes are held by the freezer (v2 <c>cgroup.freeze</c>, v1 <c>freezer.state</c>).</summary>
    public bool Frozen
    {
        get
        {
            var (file, value) = Mode switch
            {
                CgroupMode.V2 => (Path.Combine(Dirs[0], "cgroup.freeze"), "1"),
                CgroupMode.V1 => (Path.Combine(root, "freezer", "tappaas", Name, "freezer.state"), "FROZEN"),
                _ => (null, ""),
            };
            try
            {
                return file is not null && File.Exists(file) && File.ReadAllText(file).Trim() is var state && (state == value || state == "FREEZING");
            }
            catch (IOException)
            {
                return false; // the cgroup went while we looked
            }
        }
    }

    /// <summary>
    /// Pauses (<paramref name="frozen"/>) or resumes every process of the guest — cgroup v2's <c>cgroup.freeze</c> or v1's
    /// freezer — and waits until the kernel reports the new state. False when the host offers no freezer for the guest.
    /// </summary>
    public async Task<bool> FreezeAsync(bool frozen, CancellationToken cancellationToken)
    {
        var (file, value, done) = Mode switch
        {
            CgroupMode.V2 => (Path.Combine(Dirs[0], "cgroup.freeze"), frozen ? "1" : "0", (Func<string, bool>)(_ => File.ReadAllText(Path.Combine(Dirs[0], "cgroup.events")).Contains(frozen ? "frozen 1" : "frozen 0", StringComparison.Ordinal))),
            CgroupMode.V1 => (Path.Combine(root, "freezer", "tappaas", Name, "freezer.state"), frozen ? "FROZEN" : "THAWED", f => File.ReadAllText(f).Trim() == (frozen ? "FROZEN" : "THAWED")),
            _ => (null, "", _ => true),
        };
        if (file is null || !File.Exists(file))
        {
            return false;
        }

        File.WriteAllText(file, value);
        for (var i = 0; i < 200 && !done(file); i++)
        {
            await Task.Delay(10, cancellationToken);
        }

        return done(file);
    }

    /// <summary>CPU time used by the guest's processes, in seconds (v2 <c>cpu.stat</c>, v1 <c>cpuacct.usage</c>).</summary>
    public double CpuSeconds()
    {
        switch (Mode)
        {
            case CgroupMode.V2 when File.Exists(Path.Combine(Dirs[0], "cpu.stat")):
                var line = File.ReadAllLines(Path.Combine(Dirs[0], "cpu.stat")).FirstOrDefault(l => l.StartsWith("usage_usec ", StringComparison.Ordinal));
                return line is null ? 0 : long.Parse(line[11..], CultureInfo.InvariantCulture) / 1e6;
            case CgroupMode.V1:
                var file = Path.Combine(root, "cpuacct", "tappaas", Name, "cpuacct.usage");
                return File.Exists(file) && long.TryParse(File.ReadAllText(file).Trim(), out var ns) ? ns / 1e9 : 0;
            default:
                return 0;
        }
    }

    /// <summary>The processes in the cgroup (every hierarchy's, once each).</summary>
    public IReadOnlyList<int> Processes() =>
        [.. Dirs.Select(d => Path.Combine(d, "cgroup.procs")).Where(File.Exists)
            .SelectMany(f => { try { return File.ReadAllLines(f); } catch (IOException) { return []; } })
            .Select(l => int.TryParse(l, out var pid) ? pid : 0).Where(p => p > 0).Distinct()];

    /// <summary>Kills every process in the cgroup.</summary>
    public void KillAll()
    {
        foreach (var dir in Dirs)
        {
            var procs = Path.Combine(dir, "cgroup.procs");
            if (!File.Exists(procs))
            {
                continue;
            }

            foreach (var line in File.ReadAllLines(procs))
            {
                if (int.TryParse(line, out var pid))
                {
                    try
                    {
                        System.Diagnostics.Process.GetProcessById(pid).Kill();
                    }
                    catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                    {
                    }
                }
            }
        }
    }

    /// <summary>Removes the (empty) cgroup.</summary>
    public void Delete()
    {
        foreach (var dir in Dirs.Where(Directory.Exists))
        {
            try
            {
                Directory.Delete(dir);
            }
            catch (IOException)
            {
            }
        }
    }

    private static void TryWrite(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Controllers the kernel lacks (e.g. swap accounting) are reported by status, not fatal.
        }
    }
}
