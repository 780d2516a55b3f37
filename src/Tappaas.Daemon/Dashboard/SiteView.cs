using Tappaas.Client;

namespace Tappaas.Daemon.Dashboard;

/// <summary>A module as the overview shows it: its guests' health, their resources and its last backup.</summary>
internal sealed record ModuleRow(string Name, string Status, int Revision, int Ready, int Guests, double Cores, int MemoryMiB, long DiskBytes,
    BackupOutcomeV1? LastBackup, IReadOnlyList<string> Attention)
{
    public bool Healthy => Attention.Count == 0;
}

/// <summary>
/// The overview's rows from the site's status and its backups: every module with what needs attention in it (guests not
/// ready, a guest over its disk limit, a failed module, a failed last backup), by name. The rows keep their places as
/// health changes (a row moving under the reader's pointer or keyboard focus is worse than useless); the page lists the
/// ones that need attention apart, above the table.
/// </summary>
internal static class SiteView
{
    public static IReadOnlyList<ModuleRow> Rows(SiteStatusV1 status, IReadOnlyList<BackupStatusV1> backups)
    {
        var guests = status.Guests.ToLookup(g => g.Module, StringComparer.Ordinal);
        var backup = backups.ToDictionary(b => b.Module, StringComparer.Ordinal);
        return [.. status.Modules
            .Select(m => Row(m, [.. guests[m.Name]], backup.GetValueOrDefault(m.Name)))
            .OrderBy(r => r.Name, StringComparer.Ordinal)];
    }

    private static ModuleRow Row(ModuleV1 module, IReadOnlyList<GuestStatusV1> guests, BackupStatusV1? backup)
    {
        var attention = new List<string>();
        if (module.Status is not ("installed" or "archived"))
        {
            attention.Add($"module {module.Status}");
        }

        foreach (var g in guests.Where(g => !g.Ready))
        {
            attention.Add($"{g.Guest} {g.Status}{(g.Reason is { Length: > 0 } r ? ": " + r : "")}");
        }

        attention.AddRange(guests.Where(g => g.DiskOver).Select(g => $"{g.Guest} is over its disk limit"));
        if (backup?.LastBackup is { Succeeded: false } failed)
        {
            attention.Add("last backup failed: " + failed.Message);
        }

        return new ModuleRow(module.Name, module.Status, module.Revision, guests.Count(g => g.Ready), guests.Count, guests.Sum(g => g.Cores ?? 0),
            guests.Sum(g => g.MemoryMiB ?? 0), guests.Sum(g => g.DiskBytes ?? 0), backup?.LastBackup, attention);
    }
}
