using Tappaas.Client;
using Tappaas.Platform.Embedded.Runtime;

namespace Tappaas.Composition;

/// <summary>The site's status in the API's shape, read from the store and the guests' supervisors (the CLI's in-process mode prints the same).</summary>
public static class SiteStatusReport
{
    public static async Task<SiteStatusV1> ReadAsync(SiteSession session, CancellationToken cancellationToken)
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
            Guests(session.Layout.Root));
    }

    /// <summary>Every guest of the site as its supervisor last reported it.</summary>
    public static IReadOnlyList<GuestStatusV1> Guests(string site)
    {
        var runtime = new GuestRuntime(site);
        return [.. runtime.All().Select(g =>
        {
            var s = runtime.State(g.Guest);
            var spec = g.Spec;
            var supervised = GuestRuntime.SupervisorAlive(s);
            return new GuestStatusV1(g.Guest, spec.Module, s?.Status ?? "absent", s?.Ready ?? false, s?.Reason, supervised, spec.Isolation, spec.Address, s?.Cgroup,
                (int)spec.MemoryMiB, spec.Cores, s?.Restarts ?? 0, s?.WorkloadPid, s?.DiskBytes, spec.DiskLimitBytes, s?.DiskOver ?? false);
        })];
    }
}
