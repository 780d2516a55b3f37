using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Tappaas.Abstractions.Guests;
using Tappaas.Model.Resolved;
using Tappaas.Platform.Embedded.Guests;
using Tappaas.Platform.Embedded.Guests.Cgroups;

namespace Tappaas.Platform.Embedded;

/// <summary>
/// The embedded platform's guests for the daemon: snapshots read from their supervisors' state (and their cgroups), a
/// stream of new snapshots whenever a guest's files change, and recovery of guests whose supervisor is gone.
/// </summary>
public sealed class EmbeddedGuests(EmbeddedPlatform platform) : IGuestObserver, IGuestRecovery, IDisposable
{
    private readonly GuestFileCache _files = new(platform.Runtime);

    public string Provider => "embedded";

    public IReadOnlyList<GuestSnapshot> Observe(bool withUsage) => [.. _files.Read().Select(g => Snapshot(g, withUsage))];

    public void Dispose() => _files.Dispose();

    public async IAsyncEnumerable<IReadOnlyList<GuestSnapshot>> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var watcher = new GuestFolderWatcher(platform.Runtime.GuestsDir);
        watcher.Changed += () => changes.Writer.TryWrite(true);
        yield return Observe(withUsage: false);
        while (true)
        {
            try
            {
                await changes.Reader.ReadAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            yield return Observe(withUsage: false);
        }
    }

    /// <summary>
    /// Starts again every guest of an installed module whose supervisor is gone, unless it gave up (the reason stays in its
    /// status). "stopped" guests start too: a host shutdown or 'tappaas down' stopped them, not a change of the site.
    /// </summary>
    public async Task<IReadOnlyList<GuestRecovered>> RecoverAsync(IReadOnlyList<ResolvedModule> installed, CancellationToken cancellationToken)
    {
        var runtime = platform.Runtime;
        var names = installed.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var recovered = new List<GuestRecovered>();
        foreach (var guest in await platform.Vm.ThawLeftFrozenAsync(cancellationToken))
        {
            recovered.Add(new GuestRecovered(runtime.Spec(guest)?.Module ?? guest, guest, $"guest {guest} was left frozen by a snapshot that did not finish; thawed it"));
        }

        foreach (var (guest, spec) in runtime.All())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var state = runtime.State(guest);
            if (runtime.SupervisorAlive(guest) || state?.Status == "failed" || !names.Contains(spec.Module))
            {
                continue;
            }

            runtime.Start(spec);
            recovered.Add(new GuestRecovered(spec.Module, guest, $"guest {guest} had no supervisor (last status {state?.Status ?? "unknown"}); started it again"));
        }

        return recovered;
    }

    /// <summary>What isolates the guest, in words for status.</summary>
    public static string IsolationText(GuestSpecFile spec) => spec.Driver == Guests.Drivers.GuestDrivers.Oci
        ? $"oci (user namespace: guest root is host uid {spec.Oci?.HostUid}; read-only root filesystem; {spec.Oci?.Image})"
        : spec.Oci is { } confined ? $"process confined as host uid {confined.HostUid} (no capabilities; read-only view of the host without the site)"
        : spec.Isolation == "namespaces" ? "process (shares the host's filesystem)" : "process on loopback (not isolated from the host)";

    private static GuestSnapshot Snapshot(ObservedGuest guest, bool withUsage)
    {
        var (spec, state) = (guest.Spec, guest.State);
        var cgroup = spec.CgroupMode == CgroupMode.None || !withUsage ? null : new Cgroup(spec.CgroupMode, spec.CgroupName);
        return new GuestSnapshot
        {
            Provider = "embedded", Guest = guest.Guest, Module = spec.Module,
            Status = GuestStatusExtensions.Parse(state?.Status), Ready = state?.Ready ?? false, Draining = guest.Draining,
            Supervised = guest.Supervised, Reason = state?.Reason, Isolation = IsolationText(spec), Address = spec.Address, Ports = spec.Ports,
            ResourceGroup = state?.Cgroup, MemoryLimitMiB = spec.MemoryMiB, Cores = spec.Cores, MemoryBytes = cgroup?.MemoryBytes(), CpuSeconds = cgroup?.CpuSeconds(),
            Restarts = state?.Restarts ?? 0, WorkloadPid = state?.WorkloadPid is > 0 ? state.WorkloadPid : null, DiskBytes = state?.DiskBytes,
            DiskLimitBytes = spec.DiskLimitBytes, DiskOver = state?.DiskOver ?? false, StartedAt = state?.StartedAt, ReadySince = state?.ReadySince,
        };
    }
}
