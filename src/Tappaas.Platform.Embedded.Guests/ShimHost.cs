using System.Runtime.InteropServices;
using System.Text.Json;
using Tappaas.Abstractions.Secrets;
using Tappaas.Platform.Embedded.Guests.Cgroups;
using Tappaas.Platform.Embedded.Guests.Drivers;
using Tappaas.Platform.Embedded.Guests.Health;

using Tappaas.Platform.Embedded.Host;
using Tappaas.IO;

namespace Tappaas.Platform.Embedded.Guests;

/// <summary>
/// The per-guest supervisor (like containerd's shim): runs the workload, keeps its output in rotating logs, runs the
/// health checks, restarts it with back-off when it exits or fails liveness, and records state, exit codes and every
/// transition with its cause. It outlives the CLI and the daemon, which find it again through <c>state.json</c>.
/// </summary>
public sealed class ShimHost
{
    /// <summary>The state a guest's last supervisor left, kept when a new one is started (<see cref="GuestRuntime.Start"/>).</summary>
    public const string PreviousStateFile = "state.previous.json";

    /// <summary>
    /// The freezer's lease: whoever freezes the guest (a snapshot, a backup) writes this file first and rewrites it every
    /// half second while it holds the guest, and removes it after the thaw. A lease not renewed for <see cref="FreezeLease"/>
    /// means its holder died or stalls (a killed or SIGSTOPped daemon): the supervisor thaws the guest itself.
    /// </summary>
    public const string FreezeLeaseFile = "freeze.lease";

    /// <summary>How long a freeze lease holds without being renewed.</summary>
    public static readonly TimeSpan FreezeLease = TimeSpan.FromSeconds(2);

    private readonly string _dir;
    private readonly GuestSpecFile _spec;
    private readonly Cgroup _cgroup;
    private readonly RotatingLog _log;
    private readonly Random _random = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private GuestState _state;
    private readonly IGuestDriver _driver;
    private GuestTask? _workload;
    private readonly TimeProvider _time;
    private string? _healthKill; // why the health watcher killed the workload, if it did

    private ShimHost(string dir, TimeProvider time)
    {
        _dir = dir;
        _time = time;
        _spec = JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(dir, "spec.json")), GuestJson.Default.GuestSpecFile)!;
        _cgroup = new Cgroup(_spec.CgroupMode, _spec.CgroupName);
        _driver = GuestDrivers.Find(_spec.Driver) ?? throw new InvalidOperationException(
            $"{dir}/spec.json names the guest driver \"{_spec.Driver}\"; this supervisor has {string.Join(", ", GuestDrivers.Names)}");
        Directory.CreateDirectory(Path.Combine(dir, "logs"));
        _log = new RotatingLog(Path.Combine(dir, "logs", "output.log"), _spec.LogBytes, _spec.LogFiles, time);
        _state = new GuestState
        {
            ShimPid = System.Environment.ProcessId, Isolation = _spec.Isolation, Address = _spec.Address,
            Cgroup = _spec.CgroupMode == CgroupMode.None ? "none" : $"{_spec.CgroupMode.ToString().ToLowerInvariant()} {_spec.CgroupName}",
        };
    }

    /// <summary>Runs the supervisor for the guest in <paramref name="guestDir"/> until it is stopped or gives up.</summary>
    public static async Task<int> RunAsync(string guestDir, TimeProvider time)
    {
        var host = new ShimHost(guestDir, time);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; host._stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; host._stop.Cancel(); });
        using var hold = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; host.RequestHold(); });
        await host.SuperviseAsync();
        return 0;
    }

    private async Task SuperviseAsync()
    {
        await EndLeftoversAsync();
        var restarts = new List<DateTimeOffset>();
        var disk = Task.Run(() => WatchDiskAsync(_stop.Token));
        while (!_stop.IsCancellationRequested)
        {
            var oomBefore = _cgroup.OomKills();
            var reason = await RunOnceAsync();
            if (_stop.IsCancellationRequested)
            {
                break;
            }

            if (_holding)
            {
                await HoldAsync();
                continue; // asked for, not a failure: no back-off, no restart count
            }

            if (_cgroup.OomKills() > oomBefore)
            {
                reason = $"killed by the kernel: out of memory (limit {_spec.MemoryMiB} MiB)";
            }

            _driver.Ended(_spec);

            var now = _time.GetUtcNow();
            restarts.RemoveAll(t => now - t > _spec.Restart.Interval);
            if (restarts.Count >= _spec.Restart.Attempts)
            {
                Update(s => s with { Status = "failed", Ready = false, WorkloadPid = 0, Reason = $"{reason}; gave up after {restarts.Count} restarts within {_spec.Restart.Interval.TotalSeconds:0} s" });
                Event("failed", _state.Reason);
                await _stop.CancelAsync();
                await disk;
                return;
            }

            restarts.Add(now);
            var delay = _spec.Restart.DelayFor(restarts.Count, _random);
            Update(s => s with { Status = "restarting", Ready = false, WorkloadPid = 0, Restarts = s.Restarts + 1, Reason = reason });
            Event("restarting", $"{reason}; restart {restarts.Count} in {delay.TotalMilliseconds:0} ms");
            try
            {
                await Task.Delay(delay, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await disk;
        _driver.Ended(_spec);
        Update(s => s with { Status = "stopped", Ready = false, WorkloadPid = 0, Reason = "stopped on request" });
        Event("stopped", "stopped on request");
    }

    /// <summary>Starts the workload (with the guest's driver) and waits for it to end; returns why it ended.</summary>
    private async Task<string> RunOnceAsync()
    {
        try
        {
            _workload?.Dispose();
            _workload = await _driver.StartAsync(_spec, WorkloadEnvironment(), _cgroup.Dirs, _log.Write, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            return "stopped";
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"cannot start {_spec.Command}: {ex.Message}";
        }

        Update(s => s with
        {
            Status = "running", Ready = _spec.Readiness is null && _spec.Liveness is null, WorkloadPid = _workload.Pid,
            WorkloadStartTime = Native.StartTime(_workload.Pid) ?? 0, StartedAt = _time.GetUtcNow(), ReadySince = null,
        });
        Event("started", $"pid {_workload.Pid}");
        // What starting it took (the spec's documents, the runtime spec written) is garbage now: give the heap back,
        // so a supervisor idles at a few MiB for as long as its guest runs.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        using var running = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var health = Task.Run(() => WatchHealthAsync(running.Token));
        string reason;
        try
        {
            await _workload.WaitAsync(_stop.Token);
            reason = _healthKill ?? $"exited with code {_workload.ExitCode}";
            Update(s => s with { LastExitCode = _workload.ExitCode });
        }
        catch (OperationCanceledException)
        {
            await StopWorkloadAsync();
            reason = "stopped";
        }

        running.Cancel();
        await health;
        _healthKill = null;
        return reason;
    }

    /// <summary>
    /// Ends what a supervisor that died (SIGKILL, a crash) left running: the workload it started, found by pid and start
    /// time in its last state, with everything below it, and whatever is still in the guest's cgroup. An orphan would hold
    /// the guest's ports and files, and the new workload would fail against it for good.
    /// </summary>
    private async Task EndLeftoversAsync()
    {
        var file = Path.Combine(_dir, PreviousStateFile);
        GuestState? previous = null;
        try
        {
            previous = File.Exists(file) ? JsonSerializer.Deserialize(File.ReadAllText(file), GuestJson.Default.GuestState) : null;
        }
        catch (JsonException)
        {
            // unreadable: the cgroup still says what is left
        }

        var killed = new List<int>();
        if (previous is { WorkloadPid: > 0 and var pid, WorkloadStartTime: > 0 and var started } && pid != System.Environment.ProcessId && Native.StartTime(pid) == started)
        {
            foreach (var p in Native.Tree(pid))
            {
                if (Native.Kill(p, Native.SigKill) == 0)
                {
                    killed.Add(p);
                }
            }
        }

        for (var i = 0; i < 100 && (_cgroup.Processes() is { Count: > 0 } left); i++)
        {
            killed.AddRange(left.Except(killed));
            _cgroup.KillAll();
            await Task.Delay(20);
        }

        if (killed.Count > 0)
        {
            Event("orphans-ended", $"the last supervisor ({previous?.ShimPid.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}) left {killed.Count} process(es) of the guest running: killed {string.Join(", ", killed.Distinct())}");
        }

        File.Delete(file);
    }

    /// <summary>
    /// Readiness and liveness apart, as Kubernetes runs them: readiness from its first probe (after its own
    /// <c>startGrace</c>, none by default), liveness killing the workload only after its start grace. Without a readiness
    /// check the liveness check says when the guest is ready, from its first probe; its failures count once the grace is over.
    /// </summary>
    private async Task WatchHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(
                GuardFreezeAsync(cancellationToken),
                _spec.Readiness is { } ready ? ReadinessAsync(ready, cancellationToken) : Task.CompletedTask,
                _spec.Liveness is { } live ? LivenessAsync(live, readiness: _spec.Readiness is null, cancellationToken) : Task.CompletedTask);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ReadinessAsync(Model.Resolved.HealthCheck ready, CancellationToken cancellationToken)
    {
        var (passes, failures) = (0, 0);
        await Task.Delay(ready.StartGrace, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            var passed = await Probe.CheckAsync(ready, _spec.Address, _spec.Ports, InGuest, cancellationToken) is null;
            if (passed || !HeldByFreezer)
            {
                MarkReady(passed, ready, ref passes, ref failures); // a guest held by the freezer answers once thawed
            }

            await Task.Delay(NextProbe(ready), cancellationToken);
        }
    }

    private async Task LivenessAsync(Model.Resolved.HealthCheck live, bool readiness, CancellationToken cancellationToken)
    {
        var graceOver = _time.GetUtcNow() + live.StartGrace;
        if (!readiness)
        {
            await Task.Delay(live.StartGrace, cancellationToken); // nothing to learn before the grace is over
        }

        var failures = 0;
        var (passes, misses) = (0, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            var problem = await Probe.CheckAsync(live, _spec.Address, _spec.Ports, InGuest, cancellationToken);
            failures = problem is null || _time.GetUtcNow() < graceOver || HeldByFreezer ? 0 : failures + 1; // paused is not unhealthy
            if (failures >= live.FailureThreshold)
            {
                _healthKill = $"liveness check failed {failures} times ({problem})";
                Event("unhealthy", _healthKill);
                KillWorkload();
                return;
            }

            if (readiness)
            {
                MarkReady(problem is null, live, ref passes, ref misses);
            }

            await Task.Delay(readiness ? NextProbe(live) : live.Interval, cancellationToken);
        }
    }

    /// <summary>True while a live lease holds the guest frozen (see <see cref="FreezeLeaseFile"/>).</summary>
    private bool HeldByFreezer => LeaseHeld(_dir, _time.GetUtcNow());

    /// <summary>Whether the freeze lease in <paramref name="guestDir"/> was renewed within <see cref="FreezeLease"/> of <paramref name="now"/> (the file system's clock).</summary>
    public static bool LeaseHeld(string guestDir, DateTimeOffset now)
    {
        var lease = Path.Combine(guestDir, FreezeLeaseFile);
        return File.Exists(lease) && now.UtcDateTime - File.GetLastWriteTimeUtc(lease) < FreezeLease;
    }

    /// <summary>Thaws the guest when the freezer's holder stopped renewing its lease (or left it frozen without one).</summary>
    private async Task GuardFreezeAsync(CancellationToken cancellationToken)
    {
        var lease = Path.Combine(_dir, FreezeLeaseFile);
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), _time, cancellationToken);
            if (!HeldByFreezer && _cgroup.Frozen && await _cgroup.FreezeAsync(false, cancellationToken))
            {
                var why = File.Exists(lease) ? $"not renewed for {FreezeLease.TotalSeconds:0} s" : "missing";
                File.Delete(lease);
                Event("thawed", $"the guest was frozen and the freezer's lease was {why} (its holder died or stalls): thawed it");
            }
        }
    }

    /// <summary>The check's interval once the guest is ready; until then at most 200 ms, so readiness is seen soon.</summary>
    private TimeSpan NextProbe(Model.Resolved.HealthCheck check) =>
        _state.Ready ? check.Interval : TimeSpan.FromMilliseconds(Math.Min(check.Interval.TotalMilliseconds, 200));

    /// <summary>How an exec check runs: inside a guest in a container (an image's, a confined process's); on the host for an unconfined process guest.</summary>
    private Func<IReadOnlyList<string>, CancellationToken, Task<int>>? InGuest => _spec.Oci is not null && _workload is { } w
        ? async (command, ct) => (await _driver.ExecAsync(_spec, w.Pid, command, ct)).ExitCode
        : null;

    /// <summary>
    /// A probe's outcome: a guest not ready becomes so after <c>successThreshold</c> passes in a row; a ready one leaves the
    /// rotation only after <c>failureThreshold</c> failures in a row, so one slow answer (a busy host, the freezer holding
    /// it for a snapshot) does not take every guest of a module out at once.
    /// </summary>
    private void MarkReady(bool passed, Model.Resolved.HealthCheck check, ref int passes, ref int failures)
    {
        (passes, failures) = passed ? (passes + 1, 0) : (0, failures + 1);
        var ready = _state.Ready ? failures < Math.Max(check.FailureThreshold, 1) : passes >= check.SuccessThreshold;
        if (ready != _state.Ready)
        {
            Update(s => s with { Ready = ready, ReadySince = ready ? _time.GetUtcNow() : null });
            Event(ready ? "ready" : "not-ready", ready ? "readiness check passed" : "readiness check failed");
        }
    }

    private async Task StopWorkloadAsync()
    {
        if (_workload is null || _workload.HasExited)
        {
            return;
        }

        _driver.Stop(_spec, _workload);
        using var grace = new CancellationTokenSource(_spec.StopGrace);
        try
        {
            await _workload.WaitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            Event("killed", $"did not stop within {_spec.StopGrace.TotalSeconds:0} s of SIGTERM");
        }

        KillWorkload();
    }

    private void KillWorkload()
    {
        if (_workload is not null)
        {
            _driver.Kill(_workload);
        }

        _cgroup.KillAll();
    }

    /// <summary>The workload's environment: the spec's, with each <c>${secret:NAME}</c> read from the site's secret store now (so the value is in no file but the store).</summary>
    private Dictionary<string, string> WorkloadEnvironment()
    {
        var secrets = new SiteSecrets(_spec.SiteFolder ?? Path.GetFullPath(Path.Combine(_dir, "..", "..")));
        var missing = new List<string>();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in _spec.Env)
        {
            var (value, absent) = secrets.Resolve(v);
            missing.AddRange(absent);
            environment[k] = value;
        }

        return missing.Count == 0 ? environment : throw new InvalidOperationException($"secret(s) {string.Join(", ", missing)} are not in the site's secret store");
    }

    private bool _holding;
    private Task _holdStop = Task.CompletedTask;

    /// <summary>
    /// SIGHUP with a <c>hold</c> file in the guest folder: stop the workload gracefully and keep it stopped (status
    /// <c>held</c>) until the file is removed, then start it again — the supervisor itself stays, so a disk can be
    /// swapped under a guest without losing its supervision, logs or counters.
    /// </summary>
    private void RequestHold()
    {
        if (!File.Exists(Path.Combine(_dir, "hold")) || _holding)
        {
            return;
        }

        _holding = true;
        _holdStop = StopWorkloadAsync();
    }

    private async Task HoldAsync()
    {
        await _holdStop; // its clean-up (kill what is left in the cgroup) must not hit the next start
        Update(s => s with { Status = "held", Ready = false, WorkloadPid = 0, Reason = "held on request (disk restore)" });
        Event("held", "stopped on request while its disk is replaced");
        while (File.Exists(Path.Combine(_dir, "hold")) && !_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(20, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _holding = false;
    }

    private void Update(Func<GuestState, GuestState> change)
    {
        lock (_gate)
        {
            _state = change(_state);
            AtomicFile.Write(Path.Combine(_dir, "state.json"), JsonSerializer.Serialize(_state, GuestJson.Default.GuestState));
        }
    }

    /// <summary>Measures the guest's disk (its data folder) and reports crossing <c>diskSize</c> as an event, once each way.</summary>
    private async Task WatchDiskAsync(CancellationToken cancellationToken)
    {
        if (_spec.DataDir is not { } data)
        {
            return;
        }

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var used = DiskUsage.Bytes(data);
                var over = _spec.DiskLimitBytes is { } limit && used > limit;
                if (over != _state.DiskOver)
                {
                    Event(over ? "disk-over" : "disk-ok", over
                        ? $"disk usage {DiskUsage.Text(used)} is over diskSize {DiskUsage.Text(_spec.DiskLimitBytes!.Value)}; free space in {data} or raise diskSize"
                        : $"disk usage {DiskUsage.Text(used)} is back under diskSize");
                }

                Update(s => s with { DiskBytes = used, DiskOver = over });
                await Task.Delay(_spec.DiskCheckInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Event(string kind, string message) =>
        File.AppendAllText(Path.Combine(_dir, "events.log"), $"{_time.GetUtcNow():O}\t{kind}\t{message}\n");
}
