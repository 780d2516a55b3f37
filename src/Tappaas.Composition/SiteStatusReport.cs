using Tappaas.Client;
using Tappaas.Abstractions.Guests;

namespace Tappaas.Composition;

/// <summary>The site's status in the API's shape, read from the store and the guests' supervisors (the CLI's in-process mode prints the same).</summary>
public static class SiteStatusReport
{
    public static async Task<SiteStatusV1> ReadAsync(SiteSession session, CancellationToken cancellationToken) =>
        await ReadAsync(session, Guests(session), cancellationToken);

    /// <summary>The site's status with <paramref name="guests"/> as observed (<see cref="Guests"/>) and the rest read from the store now.</summary>
    public static async Task<SiteStatusV1> ReadAsync(SiteSession session, IReadOnlyList<GuestStatusV1> guests, CancellationToken cancellationToken)
    {
        var modules = await session.Store.ListModulesAsync(cancellationToken);
        var runs = await session.Store.ListAppliesAsync(5, cancellationToken);
        var holder = await session.Store.GetLockAsync(cancellationToken);
        var revision = await session.Store.GetRevisionAsync(cancellationToken);
        return new SiteStatusV1(
            session.Layout.Root,
            revision,
            [.. modules.Select(m => new ModuleV1(m.Name, m.Revision, m.Status, m.UpdatedAt))],
            [.. runs.Select(r => new RunV1(r.Id, r.Command, r.Status, r.StartedAt))],
            holder is null ? null : $"{holder.Host}:{holder.ProcessId} ({holder.Command})",
            guests);
    }

    /// <summary>The guests as the status shows them, observed now, by name (values only: two observations that show the same are equal item by item).</summary>
    public static IReadOnlyList<GuestStatusV1> Guests(SiteSession session) =>
        [.. session.Guests().OrderBy(g => g.Guest, StringComparer.Ordinal).Select(g => new GuestStatusV1(g.Guest, g.Module, g.Status.Text(), g.Ready, g.Reason,
            g.Supervised, g.Isolation, g.Address, g.ResourceGroup, (int)g.MemoryLimitMiB, g.Cores, g.Restarts, g.WorkloadPid, g.DiskBytes, g.DiskLimitBytes, g.DiskOver))];
}
