using System.Text.Json;
using Tappaas.Abstractions.Providers;
using Tappaas.Platform.Embedded.Guests.Cgroups;
using Tappaas.Platform.Embedded.Network;
using Tappaas.Platform.Embedded.Host;
using Tappaas.Platform.Embedded.Guests;

namespace Tappaas.Platform.Embedded;

/// <summary>
/// Pre-update snapshots of a guest's disk: a copy (reflinked where the filesystem can) of the module's data folder,
/// taken with the guests paused, plus the guests' specs, under <c>&lt;site&gt;/snapshots/&lt;module&gt;/&lt;id&gt;</c>.
/// Restoring stops the guests, puts the disk back and starts the guests as they were.
/// </summary>
public sealed partial class EmbeddedVmProvider
{
    private string SnapshotsDir(string module) => Path.Combine(_siteFolder, "snapshots", module);

    private string Disk(string module) => Path.Combine(_siteFolder, "disks", module);

    /// <inheritdoc />
    public async ValueTask<string> CreateSnapshotAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var module = request.Consumer.Name;
        var id = $"tappaas-{platform.Time.GetUtcNow():yyyyMMdd-HHmmssfff}";
        var target = Path.Combine(SnapshotsDir(module), id);
        Directory.CreateDirectory(Path.Combine(target, "specs"));
        foreach (var guest in _runtime.GuestsOf(module))
        {
            File.Copy(Path.Combine(_runtime.GuestDir(guest), "spec.json"), Path.Combine(target, "specs", guest + ".json"));
        }

        var disk = Disk(module);
        Directory.CreateDirectory(disk);
        await using (await PauseAsync(module, cancellationToken))
        {
            await Sh.MustAsync("cp", ["-a", "--reflink=auto", disk, Path.Combine(target, "disk")], cancellationToken);
        }

        return id;
    }

    /// <inheritdoc />
    public async ValueTask<OperationResult> RestoreSnapshotAsync(ProviderRequest request, string snapshotId, CancellationToken cancellationToken)
    {
        var module = request.Consumer.Name;
        var source = Path.Combine(SnapshotsDir(module), snapshotId);
        if (!Directory.Exists(Path.Combine(source, "disk")))
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"snapshot {snapshotId} of {module} is not in {SnapshotsDir(module)}");
        }

        try
        {
            var specs = Directory.GetFiles(Path.Combine(source, "specs"), "*.json").Order(StringComparer.Ordinal)
                .Select(f => JsonSerializer.Deserialize(File.ReadAllText(f), GuestJson.Default.GuestSpecFile)!).ToList();
            if (Model.Resolved.ResolvedWorkload.From(request.Consumer)?.Update is { Rolling: true } policy && specs.All(spec => SameSpec(_runtime.Spec(spec.Guest), spec)))
            {
                return await RevertGuestsAsync(module, specs, policy, snapshotId, cancellationToken);
            }

            await ReplaceDiskAsync(module, async staging => await Sh.MustAsync("cp", ["-a", "--reflink=auto", Path.Combine(source, "disk"), staging], cancellationToken), specs, cancellationToken);
            var addresses = new AddressBook(_siteFolder);
            foreach (var other in _runtime.GuestsOf(module).Except(specs.Select(x => x.Guest)).ToList())
            {
                await RemoveGuestAsync(other, addresses, cancellationToken);
            }

            await RefreshNetworkAsync(cancellationToken);
            return OperationResult.Ok($"{module}: disk and guests restored from {snapshotId}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"restoring {snapshotId} of {module}: {ex.Message}");
        }
    }

    /// <summary>
    /// A rolling update's way back: the snapshot's guests are all still there (kept until a rollout completes), so they
    /// run again and any other guest drains and goes; the disk stays — the old revision served and wrote throughout.
    /// </summary>
    private async Task<OperationResult> RevertGuestsAsync(string module, List<GuestSpecFile> specs, Model.Resolved.UpdatePolicy policy, string snapshotId, CancellationToken ct)
    {
        var others = _runtime.GuestsOf(module).Except(specs.Select(x => x.Guest)).ToList();
        if (await ReturnToAsync(specs, others, policy.DrainTime, ct) is { } failure)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"restoring {snapshotId} of {module}: guest {failure.Guest} did not become ready again: {failure.Why}");
        }

        return OperationResult.Ok($"{module}: guests of {snapshotId} serve again{(others.Count > 0 ? $", {string.Join(", ", others)} removed" : "")}; the disk is kept (the running revision served and wrote throughout the rolling update)");
    }

    /// <inheritdoc />
    public ValueTask PruneSnapshotsAsync(ProviderRequest request, int keep, CancellationToken cancellationToken)
    {
        var dir = SnapshotsDir(request.Consumer.Name);
        foreach (var old in Directory.Exists(dir) ? Directory.GetDirectories(dir, "tappaas-*").Order(StringComparer.Ordinal).SkipLast(Math.Max(keep, 0)) : [])
        {
            Directory.Delete(old, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Stops the module's guests, fills a staging folder with <paramref name="fill"/>, swaps it in as the module's disk and
    /// starts the guests with <paramref name="specs"/> (their current specs when null), waiting until they are ready.
    /// </summary>
    public async Task ReplaceDiskAsync(string module, Func<string, Task> fill, IReadOnlyList<GuestSpecFile>? specs, CancellationToken cancellationToken)
    {
        var current = _runtime.GuestsOf(module);
        var disk = Disk(module);
        var staging = disk + ".restoring";
        var old = disk + ".replaced";
        foreach (var path in new[] { staging, old }.Where(Directory.Exists))
        {
            Directory.Delete(path, recursive: true);
        }

        await fill(staging); // before the guests stop: a failed restore leaves them serving

        // Same guests: hold their workloads (the supervisors stay); other guests (a snapshot's): stop and start them.
        var held = new List<string>();
        if (specs is null)
        {
            foreach (var guest in current)
            {
                if (await _runtime.HoldAsync(guest, cancellationToken))
                {
                    held.Add(guest);
                }
            }
        }

        var restart = specs ?? [.. current.Except(held).Select(g => _runtime.Spec(g)).OfType<GuestSpecFile>()];
        foreach (var guest in current.Except(held))
        {
            await _runtime.StopAsync(guest, cancellationToken);
        }

        if (Directory.Exists(disk))
        {
            Directory.Move(disk, old);
        }

        Directory.Move(staging, disk);
        foreach (var guest in held)
        {
            _runtime.Release(guest);
        }

        foreach (var spec in restart)
        {
            await EnsureNetworkAsync(spec, cancellationToken);
            _runtime.Start(spec);
        }

        if (Directory.Exists(old))
        {
            Directory.Delete(old, recursive: true); // while the guests start
        }

        foreach (var guest in held.Concat(restart.Select(s => s.Guest)))
        {
            var spec = _runtime.Spec(guest);
            var state = await _runtime.WaitReadyAsync(guest, ReadyDeadline(spec), cancellationToken);
            if (state is not { Ready: true })
            {
                throw new InvalidOperationException($"guest {guest} did not become ready after the restore: {state?.Status} {state?.Reason}".Trim());
            }
        }
    }

    /// <summary>A snapshot's guest whose namespace went (a completed rollout removed it) gets it back, on its old address if free.</summary>
    private async Task EnsureNetworkAsync(GuestSpecFile spec, CancellationToken ct)
    {
        if (spec.Isolation != "namespaces" || File.Exists($"/run/netns/{_network.Namespace(spec.Guest)}"))
        {
            return;
        }

        var zone = (Zones()?.Zones ?? []).FirstOrDefault(z => z.Ip is { } cidr && System.Net.IPNetwork.TryParse(cidr, out var n) && System.Net.IPAddress.TryParse(spec.Address, out var a) && n.Contains(a))
            ?? throw new InvalidOperationException($"no zone of the site holds {spec.Guest}'s address {spec.Address}");
        var prefix = string.Join('.', zone.Ip!.Split('/')[0].Split('.').Take(3));
        var address = new AddressBook(_siteFolder).Allocate(spec.Guest, prefix, zone.DhcpStart, zone.DhcpEnd, spec.Address);
        if (address != spec.Address)
        {
            throw new InvalidOperationException($"{spec.Guest}'s address {spec.Address} is taken by another guest now; install the module again");
        }

        await _network.EnsureBridgeAsync(zone.Name, $"{prefix}.1", ct);
        await _network.CreateAsync(spec.Guest, zone.Name, spec.Address, $"{prefix}.1", spec.Hostname, ct);
    }

    /// <summary>
    /// Pauses the module's running guests (cgroup freezer) until disposed; a no-op where there is no freezer. Each frozen
    /// guest has a lease (<see cref="ShimHost.FreezeLeaseFile"/>) renewed every half second meanwhile: should this process die or
    /// stall, the guest's supervisor thaws it a few seconds later.
    /// </summary>
    public async Task<IAsyncDisposable> PauseAsync(string module, CancellationToken cancellationToken)
    {
        var frozen = new List<(Cgroup Cgroup, string Lease)>();
        var thaw = new Thaw(frozen);
        try
        {
            foreach (var guest in _runtime.GuestsOf(module))
            {
                if (_runtime.Spec(guest) is { CgroupMode: not CgroupMode.None } spec && _runtime.SupervisorAlive(guest))
                {
                    var lease = Path.Combine(_runtime.GuestDir(guest), ShimHost.FreezeLeaseFile);
                    await File.WriteAllTextAsync(lease, "", cancellationToken); // before the freeze: a frozen guest always has one
                    var cgroup = new Cgroup(spec.CgroupMode, spec.CgroupName);
                    lock (frozen)
                    {
                        frozen.Add((cgroup, lease));
                    }

                    await cgroup.FreezeAsync(true, cancellationToken);
                }
            }
        }
        catch
        {
            await thaw.DisposeAsync();
            throw;
        }

        return thaw;
    }

    /// <summary>
    /// Thaws every guest of the site the freezer still holds without a live lease: a snapshot or backup whose process was
    /// killed between pause and thaw leaves its guests frozen (their supervisors thaw them too, when they run). For the
    /// daemon's recovery and before it resumes an interrupted run. Returns the guests thawed.
    /// </summary>
    public async Task<IReadOnlyList<string>> ThawLeftFrozenAsync(CancellationToken cancellationToken)
    {
        var thawed = new List<string>();
        foreach (var (guest, spec) in _runtime.All())
        {
            var held = ShimHost.LeaseHeld(_runtime.GuestDir(guest), TimeProvider.System.GetUtcNow()); // the file system's clock, not the platform's (tests may set that one)
            if (!held && spec.CgroupMode != CgroupMode.None && new Cgroup(spec.CgroupMode, spec.CgroupName) is { Frozen: true } cgroup && await cgroup.FreezeAsync(false, cancellationToken))
            {
                File.Delete(Path.Combine(_runtime.GuestDir(guest), ShimHost.FreezeLeaseFile));
                thawed.Add(guest);
            }
        }

        return thawed;
    }

    private sealed class Thaw : IAsyncDisposable
    {
        private readonly List<(Cgroup Cgroup, string Lease)> _frozen;
        private readonly Timer _renew;

        public Thaw(List<(Cgroup Cgroup, string Lease)> frozen)
        {
            _frozen = frozen;
            _renew = new Timer(_ => Renew(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
        }

        public async ValueTask DisposeAsync()
        {
            await _renew.DisposeAsync();
            List<(Cgroup Cgroup, string Lease)> frozen;
            lock (_frozen)
            {
                frozen = [.. _frozen];
            }

            foreach (var (cgroup, lease) in frozen)
            {
                await cgroup.FreezeAsync(false, CancellationToken.None);
                File.Delete(lease); // after the thaw: a frozen guest always has one
            }
        }

        private void Renew()
        {
            lock (_frozen)
            {
                foreach (var (_, lease) in _frozen)
                {
                    try
                    {
                        File.WriteAllText(lease, ""); // the kernel stamps it: the supervisor reads the file's own time
                    }
                    catch (IOException)
                    {
                        // the guest went meanwhile
                    }
                }
            }
        }
    }
}
