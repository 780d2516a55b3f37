using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Tappaas.State;

/// <summary>
/// What a failure of the state store means to an operator, in words that say what to do: a full disk (with how much is
/// free), a damaged store (how to get it back), an I/O error. Null for a failure that is none of these (a bug to report).
/// </summary>
public static class StoreFailures
{
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteNotADatabase = 26;
    private const int NoSpace = 28; // ENOSPC

    /// <param name="failure">What was thrown.</param>
    /// <param name="site">The site folder (where the disk's free space is measured).</param>
    /// <param name="store">The store's file or address, for the message.</param>
    public static string? Describe(Exception failure, string site, string store)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException { SqliteErrorCode: SqliteFull }:
                case IOException io when (io.HResult & 0xFFFF) == NoSpace:
                    return Full(site);
                case SqliteException { SqliteErrorCode: SqliteIoError } sqlite:
                    return FreeBytes(site) is < 4L * 1024 * 1024 ? Full(site)
                        : $"the state store {store} cannot be read or written (disk I/O error: {sqlite.Message}); check the disk and the kernel's log (dmesg)";
                case SqliteException { SqliteErrorCode: SqliteReadOnly } sqlite:
                    // A store opened for reading only because the disk had no room for its log (SqliteStateStore), or a read-only file.
                    return FreeBytes(site) is < 4L * 1024 * 1024 ? Full(site)
                        : $"the state store {store} cannot be written ({sqlite.Message}); make it and its folder writable by the user running tappaas";
                case SqliteException { SqliteErrorCode: SqliteCorrupt or SqliteNotADatabase } sqlite:
                    return Damaged(store, sqlite.Message);
                case Npgsql.PostgresException { SqlState: "53100" }:
                    return $"the PostgreSQL server's disk is full ({store}); free space on it and run the command again";
            }
        }

        return null;
    }

    /// <summary>What to say about a store that fails its integrity check (or cannot be read as one).</summary>
    public static string Damaged(string store, string detail) =>
        $"the state store {store} is damaged ({detail}); nothing was changed. Put back a copy of it from a backup of the site " +
        "folder, or move it aside and record the installed modules again from the site's config folder ('tappaas import SITE/config'; their history is lost)";

    private static string Full(string site) =>
        $"the disk holding the site {site} is full ({Text(FreeBytes(site) ?? 0)} free); free space and run the command again";

    private static long? FreeBytes(string path)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(path)).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Text(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}
