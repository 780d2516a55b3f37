using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Tappaas.Platform.Embedded.Cgroups;
using Tappaas.Platform.Embedded.Health;

namespace Tappaas.Platform.Embedded.Runtime;

/// <summary>
/// The per-guest supervisor (like containerd's shim): runs the workload, keeps its output in rotating logs, runs the
/// health checks, restarts it with back-off when it exits or fails liveness, and records state, exit codes and every
/// transition with its cause. It outlives the CLI and the daemon, which find it again through <c>state.json</c>.
/// </summary>
public sealed class ShimHost
{
    private readonly string _dir;
    private readonly GuestSpecFile _spec;
    private readonly Cgroup _cgroup;
    private readonly RotatingLog _log;
    private readonly Random _random = new();
    private readonly CancellationTokenSource _stop = new();
    private GuestState _state;
    private Process? _workload;
    private string? _healthKill; // why the health watcher killed the workload, if it did

    private ShimHost(string dir)
    {
        _dir = dir;
        _spec = JsonSerializer.Deserialize<GuestSpecFile>(File.ReadAllText(Path.Combine(dir, "spec.json")))!;
        _cgroup = new Cgroup(_spec.CgroupMode, _spec.CgroupName);
        Directory.CreateDirectory(Path.Combine(dir, "logs"));
        _log = new RotatingLog(Path.Combine(dir, "logs", "output.log"), _spec.LogBytes, _spec.LogFiles);
        _state = new GuestState
        {
            ShimPid = Environment.ProcessId, Isolation = _spec.Isolation, Address = _spec.Address,
            Cgroup = _spec.CgroupMode == CgroupMode.None ? "none" : $"{_spec.CgroupMode.ToString().ToLowerInvariant()} {_spec.CgroupName}",
        };
    }

    /// <summary>Runs the supervisor for the guest in <paramref name="guestDir"/> until it is stopped or gives up.</summary>
    public static async Task<int> RunAsync(string guestDir)
    {
        var host = new ShimHost(guestDir);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; host._stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; host._stop.Cancel(); });
        await host.SuperviseAsync();
        return 0;
    }

    private async Task SuperviseAsync()
    {
        var restarts = new List<DateTimeOffset>();
        while (!_stop.IsCancellationRequested)
        {
            var oomBefore = _cgroup.OomKills();
            var reason = await RunOnceAsync();
            if (_stop.IsCancellationRequested)
            {
                break;
            }

            if (_cgroup.OomKills() > oomBefore)
            {
                reason = $"killed by the kernel: out of memory (limit {_spec.MemoryMiB} MiB)";
            }

            var now = DateTimeOffset.UtcNow;
            restarts.RemoveAll(t => now - t > _spec.Restart.Interval);
            if (restarts.Count >= _spec.Restart.Attempts)
            {
                Save(_state with { Status = "failed", Ready = false, WorkloadPid = 0, Reason = $"{reason}; gave up after {restarts.Count} restarts within {_spec.Restart.Interval.TotalSeconds:0} s" });
                Event("failed", _state.Reason);
                return;
            }

            restarts.Add(now);
            var delay = _spec.Restart.DelayFor(restarts.Count, _random);
            Save(_state with { Status = "restarting", Ready = false, WorkloadPid = 0, Restarts = _state.Restarts + 1, Reason = reason });
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

        Save(_state with { Status = "stopped", Ready = false, WorkloadPid = 0, Reason = "stopped on request" });
        Event("stopped", "stopped on request");
    }

    /// <summary>Starts the workload and waits for it to end; returns why it ended.</summary>
    private async Task<string> RunOnceAsync()
    {
        var psi = StartInfo();
        _workload = new Process { StartInfo = psi };
        _workload.OutputDataReceived += (_, e) => { if (e.Data is not null) { _log.Write("out", e.Data); } };
        _workload.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _log.Write("err", e.Data); } };
        try
        {
            _workload.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"cannot start {_spec.Command}: {ex.Message}";
        }

        _workload.BeginOutputReadLine();
        _workload.BeginErrorReadLine();
        Save(_state with { Status = "running", Ready = _spec.Readiness is null && _spec.Liveness is null, WorkloadPid = _workload.Id, StartedAt = DateTimeOffset.UtcNow, ReadySince = null });
        Event("started", $"pid {_workload.Id}");

        using var running = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var health = Task.Run(() => WatchHealthAsync(running.Token));
        string reason;
        try
        {
            await _workload.WaitForExitAsync(_stop.Token);
            _workload.WaitForExit();
            reason = _healthKill ?? $"exited with code {_workload.ExitCode}";
            Save(_state with { LastExitCode = _workload.ExitCode });
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

    private async Task WatchHealthAsync(CancellationToken cancellationToken)
    {
        var liveFailures = 0;
        var readyPasses = 0;
        var check = _spec.Liveness ?? _spec.Readiness;
        if (check is null)
        {
            return;
        }

        try
        {
            await Task.Delay(check.StartGrace, cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                if (_spec.Liveness is { } live)
                {
                    var problem = await Probe.CheckAsync(live, _spec.Address, _spec.Ports, cancellationToken);
                    liveFailures = problem is null ? 0 : liveFailures + 1;
                    if (liveFailures >= live.FailureThreshold)
                    {
                        _healthKill = $"liveness check failed {liveFailures} times ({problem})";
                        Event("unhealthy", _healthKill);
                        KillWorkload();
                        return;
                    }

                    if (_spec.Readiness is null)
                    {
                        MarkReady(problem is null, live.SuccessThreshold, ref readyPasses);
                    }
                }

                if (_spec.Readiness is { } ready)
                {
                    MarkReady(await Probe.CheckAsync(ready, _spec.Address, _spec.Ports, cancellationToken) is null, ready.SuccessThreshold, ref readyPasses);
                }

                var interval = _state.Ready ? check.Interval : TimeSpan.FromMilliseconds(Math.Min(check.Interval.TotalMilliseconds, 200));
                await Task.Delay(interval, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void MarkReady(bool passed, int successThreshold, ref int passes)
    {
        passes = passed ? passes + 1 : 0;
        var ready = passes >= successThreshold;
        if (ready != _state.Ready)
        {
            Save(_state with { Ready = ready, ReadySince = ready ? DateTimeOffset.UtcNow : null });
            Event(ready ? "ready" : "not-ready", ready ? "readiness check passed" : "readiness check failed");
        }
    }

    private async Task StopWorkloadAsync()
    {
        if (_workload is null || _workload.HasExited)
        {
            return;
        }

        Native.Kill(_workload.Id, Native.SigTerm);
        using var grace = new CancellationTokenSource(_spec.StopGrace);
        try
        {
            await _workload.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            Event("killed", $"did not stop within {_spec.StopGrace.TotalSeconds:0} s of SIGTERM");
        }

        KillWorkload();
    }

    private void KillWorkload()
    {
        try
        {
            _workload?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }

        _cgroup.KillAll();
    }

    private ProcessStartInfo StartInfo()
    {
        ProcessStartInfo psi;
        if (_spec.Isolation == "namespaces")
        {
            var join = string.Join(" ", _cgroup.Dirs.Select(d => $"echo $$ > {d}/cgroup.procs;"));
            // cd first: the working folder keeps working even if it lies under the /tmp that is then replaced by a private one.
            var inner = $"cd '{_spec.WorkingDir}' && mount -t tmpfs -o mode=1777 tmpfs /tmp && hostname {_spec.Hostname} && exec \"$@\"";
            var script = $"{join} exec ip netns exec {_spec.Namespace} unshare --mount --uts --pid --fork --kill-child=SIGTERM --mount-proc --propagation private /bin/sh -c '{inner}' tappaas-init \"$@\"";
            psi = new ProcessStartInfo("/bin/sh", ["-c", script, "tappaas-guest", _spec.Command, .. _spec.Args]);
        }
        else
        {
            psi = new ProcessStartInfo(_spec.Command, _spec.Args) { WorkingDirectory = _spec.WorkingDir };
        }

        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = true;
        foreach (var (k, v) in _spec.Env)
        {
            psi.Environment[k] = v;
        }

        return psi;
    }

    private void Save(GuestState state)
    {
        _state = state;
        var path = Path.Combine(_dir, "state.json");
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(state));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private void Event(string kind, string message) =>
        File.AppendAllText(Path.Combine(_dir, "events.log"), $"{DateTimeOffset.UtcNow:O}\t{kind}\t{message}\n");
}
