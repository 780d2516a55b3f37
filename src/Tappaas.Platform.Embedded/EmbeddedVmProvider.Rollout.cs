using System.Globalization;
using Tappaas.Abstractions.Providers;
using Tappaas.Model.Modules;
using Tappaas.Model.Zones;
using Tappaas.Platform.Embedded.Network;
using Tappaas.Platform.Embedded.Guests;
using Tappaas.Model.Resolved;

namespace Tappaas.Platform.Embedded;

/// <summary>
/// Bringing a module's guests to its definition. Guests whose spec already matches stay (re-attached, not restarted).
/// A changed definition rolls out (<c>update.strategy: rolling</c>, the default): new guests start beside the old ones
/// (under free names <c>&lt;module&gt;-&lt;n&gt;</c>), <c>maxParallel</c> at a time (with at most <c>maxSurge</c> guests above
/// the replica count: below <c>maxParallel</c>, old guests are drained and stopped first); each must be ready and stay so for
/// <c>minHealthyTime</c> within <c>healthyDeadline</c>; then as many old guests are drained (out of the proxy's rotation
/// and the DNS for <c>drainTime</c>, finishing what they serve) and stopped. Old guests are removed only once every new
/// one is healthy, so a failure can revert: the retired old guests start again and the new ones go (<c>autoRevert</c>,
/// on by default). With <c>canary</c> N an update stops after N new guests, which serve beside the old ones until the
/// module is promoted. <c>recreate</c> stops each old guest before its replacement starts. More replicas start the
/// missing ones; fewer drain and remove the surplus.
/// </summary>
public sealed partial class EmbeddedVmProvider
{
    private async Task<OperationResult> ConvergeAsync(ModuleDefinition module, ResolvedWorkload workload, ProviderRequest request, ZoneSet? zones, CancellationToken ct)
    {
        var policy = workload.Update;
        // A guest left draining by an interrupted rollout is finished off first.
        foreach (var stale in _runtime.GuestsOf(module.Name).Where(g => _runtime.Draining(g)).ToList())
        {
            await RemoveGuestAsync(stale, new AddressBook(_siteFolder), ct);
        }

        var current = Ordered(_runtime.GuestsOf(module.Name)).ToList();
        if (current.Count == 0 || !policy.Rolling)
        {
            return await RecreateAsync(module, workload, request, zones, current, ct);
        }

        // Which guests already run this definition (a dead one with the right spec is started again in place).
        var upToDate = new List<string>();
        var outdated = new List<string>();
        var restarted = new List<string>();
        foreach (var guest in current)
        {
            var running = _runtime.Spec(guest);
            var alive = _runtime.SupervisorAlive(guest);
            var wanted = await PrepareAsync(module, workload, guest, ReplicaOf(guest), request, zones, ct, provision: false);
            if (SameSpec(running, wanted) && !_runtime.Draining(guest))
            {
                if (!alive || _runtime.State(guest) is { Status: "stopped" })
                {
                    _runtime.Start(await PrepareAsync(module, workload, guest, ReplicaOf(guest), request, zones, ct));
                    restarted.Add(guest);
                }

                upToDate.Add(guest);
            }
            else
            {
                outdated.Add(guest);
            }
        }

        var canaryRun = policy.Canary > 0 && outdated.Count > 0 && !request.Flags.Promote;
        // minHealthyTime proves a new revision before old guests go; a pure scale-up replaces nothing, so ready is enough.
        var holdHealthy = outdated.Count == 0 ? TimeSpan.Zero : policy.MinHealthyTime;
        var wantedNew = canaryRun ? Math.Min(workload.Replicas, policy.Canary) : workload.Replicas;
        var deadline = policy.HealthyDeadline ?? Deadline(workload);
        var started = new List<string>();
        var retired = new List<(string Guest, GuestSpecFile Spec)>();
        IEnumerable<string> StillServing() => outdated.Except(retired.Select(r => r.Guest));
        async Task<int> RetireEachAsync(IEnumerable<string> guests)
        {
            var count = 0;
            foreach (var old in guests.ToList())
            {
                retired.Add((old, _runtime.Spec(old)!)); // stopped, not removed: a revert starts it again
                await RetireAsync(old, policy.DrainTime, ct);
                count++;
            }

            return count;
        }

        foreach (var guest in restarted)
        {
            if (await WaitHealthyAsync(guest, TimeSpan.Zero, deadline, ct) is { } failure)
            {
                return OperationResult.Fail(OperationStatus.Fatal, $"guest {guest} did not become ready: {failure}");
            }
        }

        while (upToDate.Count < wantedNew)
        {
            var size = Math.Min(policy.MaxParallel, wantedNew - upToDate.Count);
            var early = 0;
            if (!canaryRun)
            {
                // Room for the batch within replicas + maxSurge: old guests make it first (stopped, kept for a revert), never
                // more than the batch replaces (fewer replicas: the surplus goes at the end, once the new ones are healthy).
                var serving = upToDate.Count + outdated.Count - retired.Count;
                early = await RetireEachAsync(StillServing().Take(Math.Clamp(serving + size - workload.Replicas - policy.MaxSurge, 0, size)));
            }

            var batch = NextNames(module.Name, size);
            foreach (var guest in batch)
            {
                _runtime.Start(await PrepareAsync(module, workload, guest, ReplicaOf(guest), request, zones, ct));
                started.Add(guest);
            }

            await RefreshNetworkAsync(ct);
            foreach (var guest in batch)
            {
                if (await WaitHealthyAsync(guest, holdHealthy, deadline, ct) is { } failure)
                {
                    return await FailRolloutAsync(module.Name, guest, failure, policy, started, retired, ct);
                }
            }

            upToDate.AddRange(batch);
            if (!canaryRun)
            {
                // As many old guests go as new ones became healthy (less those that made room): the capacity never drops
                // below the wanted replicas, or by more than maxParallel - maxSurge.
                await RetireEachAsync(StillServing().Take(batch.Count - early));
            }
        }

        if (canaryRun)
        {
            return OperationResult.Ok($"{module.Name}: canary {string.Join(", ", upToDate)} serve{(upToDate.Count == 1 ? "s" : "")} beside {string.Join(", ", outdated)}; " +
                $"'tappaas promote {module.Name}' replaces the rest, 'tappaas rollback {module.Name}' removes the canary");
        }

        // Every new guest is healthy: the remaining old ones and any surplus (fewer replicas) drain and go.
        await RetireEachAsync(StillServing().Concat(upToDate.Skip(workload.Replicas)));

        var addresses = new AddressBook(_siteFolder);
        foreach (var (guest, _) in retired)
        {
            await RemoveGuestAsync(guest, addresses, ct);
        }

        await RefreshNetworkAsync(ct);
        var what = new List<string>();
        if (started.Count > 0)
        {
            what.Add($"started {string.Join(", ", started)}");
        }

        if (restarted.Count > 0)
        {
            what.Add($"restarted {string.Join(", ", restarted)}");
        }

        if (retired.Count > 0)
        {
            what.Add($"removed {string.Join(", ", retired.Select(r => r.Guest))}");
        }

        return OperationResult.Ok($"{module.Name}: {(what.Count == 0 ? "all guests already running" : string.Join("; ", what))}");
    }

    /// <summary>
    /// A new guest failed: with autoRevert the retired old guests start again (and must be ready), then the new ones
    /// drain and go, so the running revision is what it was; without, the guests are left as they are for a look.
    /// </summary>
    private async Task<OperationResult> FailRolloutAsync(string module, string failed, string failure, UpdatePolicy policy,
        List<string> started, List<(string Guest, GuestSpecFile Spec)> retired, CancellationToken ct)
    {
        if (!policy.AutoRevert)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"guest {failed} did not become healthy: {failure}; not reverted (update.autoRevert is false): see tappaas status and tappaas logs {module}");
        }

        if (await ReturnToAsync([.. retired.Select(r => r.Spec)], started, policy.DrainTime, ct) is { } again)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"guest {failed} did not become healthy ({failure}), and reverting failed: {again.Guest} did not become ready again: {again.Why}");
        }

        return OperationResult.Fail(OperationStatus.Fatal,
            $"guest {failed} of the new revision did not become healthy: {failure}; reverted: the previous revision's guests kept serving and the new ones were removed");
    }

    /// <summary>
    /// The way back to a revision whose guests are all still there: <paramref name="specs"/> that do not run as they are
    /// start again and must be ready, then <paramref name="others"/> drain and go. Null, or the guest that did not
    /// become ready and why.
    /// </summary>
    private async Task<(string Guest, string Why)?> ReturnToAsync(IReadOnlyList<GuestSpecFile> specs, IReadOnlyList<string> others, TimeSpan drain, CancellationToken ct)
    {
        foreach (var spec in specs.Where(x => !_runtime.SupervisorAlive(x.Guest) || _runtime.Draining(x.Guest) || _runtime.State(x.Guest) is { Status: "stopped" or "failed" }))
        {
            await _runtime.StopAsync(spec.Guest, ct);
            _runtime.Start(spec);
        }

        foreach (var spec in specs)
        {
            if (await WaitHealthyAsync(spec.Guest, TimeSpan.Zero, ReadyDeadline(spec), ct) is { } failure)
            {
                return (spec.Guest, failure);
            }
        }

        var addresses = new AddressBook(_siteFolder);
        foreach (var other in others)
        {
            await RetireAsync(other, drain, ct);
            await RemoveGuestAsync(other, addresses, ct);
        }

        await RefreshNetworkAsync(ct);
        return null;
    }

    /// <summary>How long a guest started from a spec may take to become ready: its start grace plus 60 s.</summary>
    private static TimeSpan ReadyDeadline(GuestSpecFile? spec) => TimeSpan.FromSeconds(60) + ((spec?.Readiness ?? spec?.Liveness)?.StartGrace ?? TimeSpan.Zero);

    /// <summary>The recreate strategy (and first installs): each guest is started with the wanted spec in place; surplus ones go.</summary>
    private async Task<OperationResult> RecreateAsync(ModuleDefinition module, ResolvedWorkload workload, ProviderRequest request, ZoneSet? zones, List<string> current, CancellationToken ct)
    {
        var names = current.Take(workload.Replicas).ToList();
        names.AddRange(NextNames(module.Name, workload.Replicas - names.Count, names));
        var started = new List<string>();
        foreach (var guest in names)
        {
            var spec = await PrepareAsync(module, workload, guest, ReplicaOf(guest), request, zones, ct);
            if (_runtime.SupervisorAlive(guest) && SameSpec(_runtime.Spec(guest), spec) && !_runtime.Draining(guest))
            {
                continue; // running with this definition: attach, do not restart
            }

            await _runtime.StopAsync(guest, ct);
            _runtime.Start(spec);
            started.Add(guest);
        }

        await RefreshNetworkAsync(ct);
        var deadline = workload.Update.HealthyDeadline ?? Deadline(workload);
        foreach (var guest in names)
        {
            if (await WaitHealthyAsync(guest, TimeSpan.Zero, deadline, ct) is { } failure)
            {
                return OperationResult.Fail(OperationStatus.Fatal, $"guest {guest} did not become ready: {failure}");
            }
        }

        // Fewer replicas than before: the surplus guests go (after the wanted ones are ready).
        var surplus = _runtime.GuestsOf(module.Name).Except(names).ToList();
        var addresses = new AddressBook(_siteFolder);
        foreach (var guest in surplus)
        {
            await RetireAsync(guest, workload.Update.DrainTime, ct);
            await RemoveGuestAsync(guest, addresses, ct);
        }

        if (surplus.Count > 0)
        {
            await RefreshNetworkAsync(ct);
        }

        var removed = surplus.Count > 0 ? $"; removed {string.Join(", ", surplus)}" : "";
        return OperationResult.Ok((started.Count == 0 ? $"{module.Name}: all guests already running" : $"{module.Name}: started {string.Join(", ", started)}") + removed);
    }

    /// <summary>Drains a guest (out of the proxy's rotation and the DNS), lets it finish for <paramref name="drain"/>, then stops it.</summary>
    private async Task RetireAsync(string guest, TimeSpan drain, CancellationToken ct)
    {
        if (_runtime.SupervisorAlive(guest) && _runtime.State(guest) is { Ready: true })
        {
            _runtime.Drain(guest);
            await RefreshNetworkAsync(ct);
            await Task.Delay(drain, platform.Time, ct);
        }
        else
        {
            _runtime.Drain(guest);
        }

        await _runtime.StopAsync(guest, ct);
    }

    /// <summary>Null once the guest has been ready for <paramref name="minHealthy"/> without a break; else why not (failed, or the deadline).</summary>
    private async Task<string?> WaitHealthyAsync(string guest, TimeSpan minHealthy, TimeSpan deadline, CancellationToken ct)
    {
        var start = platform.Time.GetUtcNow();
        DateTimeOffset? readySince = null;
        while (true)
        {
            var now = platform.Time.GetUtcNow();
            var state = _runtime.State(guest);
            if (state is { Status: "failed" })
            {
                return $"failed: {state.Reason}".TrimEnd(' ', ':');
            }

            readySince = state is { Status: "running", Ready: true } ? readySince ?? now : null;
            if (readySince is { } since && now - since >= minHealthy)
            {
                return null;
            }

            if (now - start > deadline)
            {
                return $"not healthy within {deadline.TotalSeconds:0} s (last status: {state?.Status ?? "no state"}{(state?.Ready == true ? ", ready" : "")}{(state is { Reason.Length: > 0 } ? ", " + state.Reason : "")})";
            }

            await Task.Delay(25, ct);
        }
    }

    // The guests' addresses in the firewall and DNS (the module's file is staged in the site's config by now).
    private async Task RefreshNetworkAsync(CancellationToken ct)
    {
        if (_isolate)
        {
            await platform.Network.RefreshAsync(null, null, ct);
        }
    }

    /// <summary>Free guest names <c>&lt;module&gt;-&lt;n&gt;</c> (lowest numbers not taken by any guest folder or <paramref name="taken"/>).</summary>
    private List<string> NextNames(string module, int count, IEnumerable<string>? taken = null)
    {
        var used = new HashSet<string>(taken ?? [], StringComparer.Ordinal);
        var names = new List<string>();
        for (var i = 0; names.Count < count; i++)
        {
            var name = $"{module}-{i.ToString(CultureInfo.InvariantCulture)}";
            if (!used.Contains(name) && !Directory.Exists(_runtime.GuestDir(name)))
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static IEnumerable<string> Ordered(IEnumerable<string> guests) => guests.OrderBy(ReplicaOf).ThenBy(g => g, StringComparer.Ordinal);

    /// <summary>The number in a guest's name (<c>counter-3</c> → 3).</summary>
    private static int ReplicaOf(string guest) =>
        int.TryParse(guest[(guest.LastIndexOf('-') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
}
