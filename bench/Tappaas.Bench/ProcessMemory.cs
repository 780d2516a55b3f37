using System.Globalization;

namespace Tappaas.Bench;

/// <summary>Memory of host processes as the kernel accounts it (<c>/proc/PID/smaps_rollup</c>) and their process trees.</summary>
internal static class ProcessMemory
{
    /// <summary>PSS and RSS of a process in MiB; zeros when it is gone.</summary>
    public static (double Pss, double Rss) Of(int pid)
    {
        var file = $"/proc/{pid}/smaps_rollup";
        if (pid <= 0 || !File.Exists(file))
        {
            return (0, 0);
        }

        var lines = File.ReadAllLines(file);
        double Kb(string key) => lines.Where(l => l.StartsWith(key + ":", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).FirstOrDefault();
        return (Kb("Pss") / 1024, Kb("Rss") / 1024);
    }

    /// <summary>The sum of several processes' figures.</summary>
    public static (double Pss, double Rss) Sum(IEnumerable<int> pids) =>
        pids.Select(Of).Aggregate((0.0, 0.0), (a, b) => (a.Item1 + b.Pss, a.Item2 + b.Rss));

    /// <summary>The children of a process (from every thread's <c>children</c> list).</summary>
    public static IReadOnlyList<int> Children(int pid) =>
        Directory.Exists($"/proc/{pid}/task")
            ? [.. Directory.GetDirectories($"/proc/{pid}/task").SelectMany(t => File.Exists(Path.Combine(t, "children")) ? File.ReadAllText(Path.Combine(t, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries) : [])
                .Select(p => int.Parse(p, CultureInfo.InvariantCulture))]
            : [];

    /// <summary>The descendants of <paramref name="pid"/>, leaving out each process <paramref name="skip"/> says is not wanted and what runs under it.</summary>
    public static IEnumerable<int> Descendants(int pid, Func<int, bool> skip)
    {
        var pending = new Stack<int>(Children(pid));
        while (pending.TryPop(out var next))
        {
            if (skip(next))
            {
                continue;
            }

            yield return next;
            foreach (var child in Children(next))
            {
                pending.Push(child);
            }
        }
    }

    /// <summary>Whether the process runs the program at <paramref name="path"/> (its <c>/proc/PID/exe</c>).</summary>
    public static bool Runs(int pid, string path)
    {
        try
        {
            return File.ResolveLinkTarget($"/proc/{pid}/exe", returnFinalTarget: false)?.FullName == path;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
