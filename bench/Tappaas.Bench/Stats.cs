using System.Diagnostics;

namespace Tappaas.Bench;

/// <summary>Timing helpers (run an action several times and report the median) and free ports for the benchmarks' listeners.</summary>
internal static class Stats
{
    public static (double MedianMs, double FirstMs) Measure(int runs, Action action)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        var first = times[0];
        times.Sort();
        return (times[times.Count / 2], first);
    }

    /// <summary>A loopback TCP port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
