using System.Globalization;
using Tappaas.Client;

namespace Tappaas.Composition;

/// <summary>This host as a node: CPUs, memory (from /proc/meminfo), load and its guests.</summary>
public static class HostNode
{
    public static NodeV1 Read(int guests)
    {
        long total = 0, available = 0;
        foreach (var line in File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo") : [])
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && long.TryParse(parts[1], out var kib))
            {
                total = parts[0] == "MemTotal:" ? kib / 1024 : total;
                available = parts[0] == "MemAvailable:" ? kib / 1024 : available;
            }
        }

        var load = File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture, out var l) ? l : 0;
        return new NodeV1(Environment.MachineName, Environment.ProcessorCount, total, available, load, guests);
    }
}
