using System.Globalization;

namespace Tappaas.Daemon.Dashboard;

/// <summary>Figures as a person reads them.</summary>
internal static class Sizes
{
    public static string MiB(long mib) => mib >= 1024 ? (mib / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " GiB" : mib.ToString(CultureInfo.InvariantCulture) + " MiB";

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.#", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.#", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };

    public static string Ago(DateTimeOffset at, DateTimeOffset now) => (now - at) switch
    {
        var d when d < TimeSpan.FromMinutes(1) => "just now",
        var d when d < TimeSpan.FromHours(1) => $"{(int)d.TotalMinutes} min ago",
        var d when d < TimeSpan.FromDays(1) => $"{(int)d.TotalHours} h ago",
        var d => $"{(int)d.TotalDays} d ago",
    };
}
