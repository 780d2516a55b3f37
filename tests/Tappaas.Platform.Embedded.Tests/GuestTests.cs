using System.Diagnostics;
using Tappaas.Platform.Embedded.Guests;
using Tappaas.Platform.Embedded.Host;

namespace Tappaas.Platform.Embedded.Tests;

/// <summary>Guests as real processes: namespaces, bridge, address, cgroup limits, supervision and recovery.</summary>
[Collection(nameof(GuestCollection))]
public sealed class GuestTests(ITestOutputHelper log)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly HttpClient s_http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task Isolated_guest_serves_on_its_zone_address_with_its_own_hostname_and_tmp()
    {
        if (EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new EmbeddedHarness();
        await File.WriteAllTextAsync("/tmp/tappaas-host-marker", "host", Ct);
        var provider = new EmbeddedVmProvider(h.Layout.Root, isolate: true, TimeProvider.System);
        var module = EmbeddedHarness.Module("webiso", EmbeddedHarness.Web());
        var result = await h.InstallAsync(provider, module);
        Assert.True(result.Succeeded, result.Message);

        var state = provider.Runtime.State("webiso-0")!;
        Assert.Equal(("running", true, "namespaces"), (state.Status, state.Ready, state.Isolation));
        Assert.StartsWith("10.82.10.", state.Address, StringComparison.Ordinal);
        var page = await s_http.GetStringAsync($"http://{state.Address}:8080/", Ct);
        Assert.Contains("Directory listing", page, StringComparison.Ordinal);
        var disk = Path.Combine(h.Layout.Root, "disks", "webiso");
        Assert.Equal("webiso", (await File.ReadAllTextAsync(Path.Combine(disk, "hostname-0"), Ct)).Trim());
        Assert.DoesNotContain("tappaas-host-marker", await File.ReadAllTextAsync(Path.Combine(disk, "tmp-0"), Ct), StringComparison.Ordinal);
        Assert.True((await provider.TestAsync(h.Request(module), Ct)).Succeeded);

        // exec through the guest's driver runs inside it: its hostname, its private /tmp, its working folder.
        Assert.Equal((0, "webiso"), await provider.Runtime.ExecAsync("webiso-0", ["hostname"], Ct));
        Assert.Equal(1, (await provider.Runtime.ExecAsync("webiso-0", ["test", "-e", "/tmp/tappaas-host-marker"], Ct)).ExitCode);
        Assert.True(File.Exists("/tmp/tappaas-host-marker")); // on the host it is there
        Assert.Equal(state.Address, (await provider.Runtime.ExecAsync("webiso-0", ["sh", "-c", "ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1"], Ct)).Output);
    }

    [Fact]
    public async Task Killed_guest_is_restarted_and_healthy_again()
    {
        if (EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new EmbeddedHarness();
        var provider = new EmbeddedVmProvider(h.Layout.Root, isolate: true, TimeProvider.System);
        var module = EmbeddedHarness.Module("webkill", EmbeddedHarness.Web());
        Assert.True((await h.InstallAsync(provider, module)).Succeeded);
        var before = provider.Runtime.State("webkill-0")!;

        var killedAt = Stopwatch.StartNew();
        Process.GetProcessById(before.WorkloadPid).Kill(entireProcessTree: true);
        await WaitAsync(() => provider.Runtime.State("webkill-0") is { Status: "running", Ready: true } s && s.WorkloadPid != before.WorkloadPid, TimeSpan.FromSeconds(20));
        log.WriteLine($"kill -9 to healthy: {killedAt.ElapsedMilliseconds} ms");
        var after = provider.Runtime.State("webkill-0")!;
        Assert.Equal(1, after.Restarts);
        Assert.Contains("exited", after.Reason, StringComparison.Ordinal);
        Assert.Equal(before.ShimPid, after.ShimPid);
        Assert.Contains("Directory listing", await s_http.GetStringAsync($"http://{after.Address}:8080/", Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_guest_is_ready_from_its_first_passing_probe_not_after_the_liveness_start_grace(bool readinessCheck)
    {
        if (EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new EmbeddedHarness();
        var provider = new EmbeddedVmProvider(h.Layout.Root, isolate: true, TimeProvider.System);
        var name = readinessCheck ? "webrdy" : "webrdyl";
        var liveness = "\"liveness\": {\"http\": {\"port\": \"http\", \"path\": \"/\"}, \"interval\": \"200ms\", \"failureThreshold\": 3, \"startGrace\": \"40s\"}";
        var readiness = readinessCheck ? ", \"readiness\": {\"tcp\": {\"port\": \"http\"}, \"interval\": \"200ms\"}" : "";
        var workload = "{\"command\": \"/usr/bin/python3\", \"args\": [\"-m\", \"http.server\", \"8080\", \"--bind\", \"0.0.0.0\"], \"ports\": {\"http\": 8080}, " +
            "\"health\": {" + liveness + readiness + "}, \"stopGrace\": \"2s\"}";
        var installing = Stopwatch.StartNew();
        var result = await h.InstallAsync(provider, EmbeddedHarness.Module(name, workload));
        Assert.True(result.Succeeded, result.Message);
        log.WriteLine($"installed and ready in {installing.ElapsedMilliseconds} ms (liveness start grace 40 s)");
        Assert.True(installing.Elapsed < TimeSpan.FromSeconds(25), $"ready only after {installing.Elapsed}: readiness waited for liveness' start grace");
        Assert.True(provider.Runtime.State(name + "-0") is { Status: "running", Ready: true, Restarts: 0 });
    }

    [Fact]
    public async Task A_ready_guest_leaves_the_rotation_only_after_failure_threshold_failed_readiness_probes_in_a_row()
    {
        if (EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new EmbeddedHarness();
        var provider = new EmbeddedVmProvider(h.Layout.Root, isolate: true, TimeProvider.System);
        var readiness = "\"readiness\": {\"http\": {\"port\": \"http\", \"path\": \"/\"}, \"interval\": \"200ms\", \"timeout\": \"300ms\", \"failureThreshold\": 3}";
        var workload = "{\"command\": \"/usr/bin/python3\", \"args\": [\"-m\", \"http.server\", \"8080\", \"--bind\", \"0.0.0.0\"], \"ports\": {\"http\": 8080}, " +
            "\"health\": {" + readiness + "}, \"stopGrace\": \"2s\"}";
        Assert.True((await h.InstallAsync(provider, EmbeddedHarness.Module("webflaky", workload))).Succeeded);
        var guest = "webflaky-0";
        await WaitAsync(() => provider.Runtime.State(guest) is { Ready: true }, TimeSpan.FromSeconds(10));

        // The workload stopped (SIGSTOP, as a stalled program) for 0.6 s: one or two probes time out, fewer than three in
        // a row; it stays ready. (A freeze by a snapshot is not counted at all: see the freeze lease test.)
        async Task<bool> ReadyThroughoutAsync(TimeSpan stalled)
        {
            var ready = true;
            var tree = Native.Tree(provider.Runtime.State(guest)!.WorkloadPid);
            Assert.All(tree, p => Native.Kill(p, 19)); // SIGSTOP
            try
            {
                for (var watch = Stopwatch.StartNew(); watch.Elapsed < stalled; await Task.Delay(20, Ct))
                {
                    ready &= provider.Runtime.State(guest) is { Ready: true };
                }
            }
            finally
            {
                Assert.All(tree, p => Native.Kill(p, 18)); // SIGCONT
            }

            for (var watch = Stopwatch.StartNew(); watch.Elapsed < TimeSpan.FromSeconds(1); await Task.Delay(20, Ct))
            {
                ready &= provider.Runtime.State(guest) is { Ready: true };
            }

            return ready;
        }

        Assert.True(await ReadyThroughoutAsync(TimeSpan.FromMilliseconds(600)), "one slow readiness probe took the guest out of the rotation");
        Assert.DoesNotContain("not-ready", await File.ReadAllTextAsync(Path.Combine(provider.Runtime.GuestDir(guest), "events.log"), Ct), StringComparison.Ordinal);

        // Stopped for 4 s: three probes in a row fail, it leaves the rotation, and is back once it answers again.
        Assert.False(await ReadyThroughoutAsync(TimeSpan.FromSeconds(4)));
        await WaitAsync(() => provider.Runtime.State(guest) is { Status: "running", Ready: true }, TimeSpan.FromSeconds(10));
        Assert.Contains("not-ready", await File.ReadAllTextAsync(Path.Combine(provider.Runtime.GuestDir(guest), "events.log"), Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_freeze_whose_holder_stops_renewing_its_lease_is_thawed_by_the_supervisor_a_held_one_is_not()
    {
        if (EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new EmbeddedHarness();
        var provider = new EmbeddedVmProvider(h.Layout.Root, isolate: true, TimeProvider.System);
        Assert.True((await h.InstallAsync(provider, EmbeddedHarness.Module("webfrz", EmbeddedHarness.Web()))).Succeeded);
        var spec = provider.Runtime.Spec("webfrz-0")!;
        var cgroup = new Platform.Embedded.Guests.Cgroups.Cgroup(spec.CgroupMode, spec.CgroupName);
        var lease = Path.Combine(provider.Runtime.GuestDir("webfrz-0"), ShimHost.FreezeLeaseFile);

        // Held by a live holder (renewing) for longer than a lease: it stays frozen throughout.
        await using (await provider.PauseAsync("webfrz", Ct))
        {
            for (var watch = Stopwatch.StartNew(); watch.Elapsed < ShimHost.FreezeLease * 2; await Task.Delay(100, Ct))
            {
                Assert.True(cgroup.Frozen, $"thawed after {watch.Elapsed} although its holder renewed the lease");
            }
        }

        Assert.False(cgroup.Frozen);
        Assert.False(File.Exists(lease));

        // A holder that froze it and then stopped (as a SIGSTOPped or killed daemon): the supervisor thaws it once the lease is stale.
        await File.WriteAllTextAsync(lease, "", Ct);
        Assert.True(await cgroup.FreezeAsync(true, Ct));
        var frozen = Stopwatch.StartNew();
        await WaitAsync(() => !cgroup.Frozen, ShimHost.FreezeLease * 3);
        log.WriteLine($"thawed by its supervisor after {frozen.ElapsedMilliseconds} ms");
        Assert.True(frozen.Elapsed >= ShimHost.FreezeLease - TimeSpan.FromMilliseconds(300), $"thawed after {frozen.Elapsed}, before its lease was stale");
        Assert.Contains("thawed", await File.ReadAllTextAsync(Path.Combine(provider.Runtime.GuestDir("webfrz-0"), "events.log"), Ct), StringComparison.Ordinal);
        await WaitAsync(() => provider.Runtime.State("webfrz-0") is { Status: "running", Ready: true }, TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_killed_supervisors_workload_is_ended_by_the_next_supervisor_which_serves_on_its_port(bool isolate)
    {
        if (isolate && EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new EmbeddedHarness();
        var provider = new EmbeddedVmProvider(h.Layout.Root, isolate, TimeProvider.System);
        var name = isolate ? "weborph" : "weborphl";
        var module = EmbeddedHarness.Module(name, EmbeddedHarness.Web(loopback: !isolate));
        Assert.True((await h.InstallAsync(provider, module)).Succeeded);
        var guest = name + "-0";
        var before = provider.Runtime.State(guest)!;
        var workload = Native.Tree(before.WorkloadPid).Select(p => (Pid: p, Started: Native.StartTime(p))).ToList();

        // kill -9 of the supervisor alone: its workload runs on, an orphan holding the guest's port.
        Assert.Equal(0, Native.Kill(before.ShimPid, Native.SigKill));
        await WaitAsync(() => !provider.Runtime.SupervisorAlive(guest), TimeSpan.FromSeconds(5));
        Assert.True(Native.Alive(before.WorkloadPid), "the workload died with its supervisor; nothing to test");

        // What the daemon's recovery does: a new supervisor. It ends the orphan first, then its own workload serves.
        provider.Runtime.Start(provider.Runtime.Spec(guest)!);
        await WaitAsync(() => provider.Runtime.State(guest) is { Status: "running", Ready: true }, TimeSpan.FromSeconds(20));
        var after = provider.Runtime.State(guest)!;
        Assert.NotEqual(before.ShimPid, after.ShimPid);
        Assert.NotEqual(before.WorkloadPid, after.WorkloadPid);
        Assert.All(workload, p => Assert.False(Native.Alive(p.Pid) && Native.StartTime(p.Pid) == p.Started, $"process {p.Pid} of the old workload still runs"));
        Assert.Equal(0, after.Restarts);
        Assert.Contains("orphans-ended", File.ReadAllText(Path.Combine(provider.Runtime.GuestDir(guest), "events.log")), StringComparison.Ordinal);
        var port = provider.Runtime.Spec(guest)!.Ports["http"];
        Assert.Contains("Directory listing", await s_http.GetStringAsync($"http://{after.Address}:{port}/", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_provider_attaches_to_running_guests_without_restarting_them()
    {
        if (EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new EmbeddedHarness();
        var module = EmbeddedHarness.Module("webattach", EmbeddedHarness.Web(replicas: 2));
        Assert.True((await h.InstallAsync(new EmbeddedVmProvider(h.Layout.Root, isolate: true, TimeProvider.System), module)).Succeeded);
        var pids = new[] { "webattach-0", "webattach-1" }.Select(g => new GuestRuntime(h.Layout.Root).State(g)!.WorkloadPid).ToList();

        var fresh = new EmbeddedVmProvider(h.Layout.Root, isolate: true, TimeProvider.System); // as after a daemon restart
        var again = await h.InstallAsync(fresh, module);
        Assert.True(again.Succeeded, again.Message);
        Assert.Contains("already running", again.Output, StringComparison.Ordinal);
        Assert.Equal(pids, new[] { "webattach-0", "webattach-1" }.Select(g => fresh.Runtime.State(g)!.WorkloadPid));
        Assert.NotEqual(fresh.Runtime.State("webattach-0")!.Address, fresh.Runtime.State("webattach-1")!.Address);
    }

    [Fact]
    public async Task Guest_over_its_memory_limit_is_killed_by_the_kernel_and_the_reason_is_kept()
    {
        if (EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new EmbeddedHarness();
        var provider = new EmbeddedVmProvider(h.Layout.Root, isolate: true, TimeProvider.System);
        var hog = """
            {"command": "/usr/bin/python3", "args": ["-c", "import time\nx = bytearray(300 * 1024 * 1024)\nfor i in range(0, len(x), 4096): x[i] = 1\ntime.sleep(60)"],
             "restart": {"attempts": 1, "delay": "100ms"}}
            """;
        var module = EmbeddedHarness.Module("hog", hog, memory: 64);
        await h.InstallAsync(provider, module);
        await WaitAsync(() => provider.Runtime.State("hog-0") is { Status: "failed" }, TimeSpan.FromSeconds(30));
        var state = provider.Runtime.State("hog-0")!;
        Assert.Contains("out of memory (limit 64 MiB)", state.Reason, StringComparison.Ordinal);
        Assert.Contains("gave up", state.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_isolation_guests_run_on_loopback_ports()
    {
        await using var h = new EmbeddedHarness();
        var provider = new EmbeddedVmProvider(h.Layout.Root, isolate: false, TimeProvider.System);
        var module = EmbeddedHarness.Module("webloop", EmbeddedHarness.Web(replicas: 2, loopback: true));
        var result = await h.InstallAsync(provider, module);
        Assert.True(result.Succeeded, result.Message);
        var ports = new[] { "webloop-0", "webloop-1" }.Select(g => provider.Runtime.Spec(g)!.Ports["http"]).ToList();
        Assert.NotEqual(ports[0], ports[1]);
        foreach (var port in ports)
        {
            Assert.Contains("Directory listing", await s_http.GetStringAsync($"http://127.0.0.1:{port}/", Ct), StringComparison.Ordinal);
        }

        Assert.Equal("none", provider.Runtime.State("webloop-0")!.Isolation);

        // The supervisor is the build's native one (compiled ahead of time) whenever the build made it; CI makes it.
        var native = File.Exists(GuestRuntime.NativeShimPath);
        Assert.True(native || Environment.GetEnvironmentVariable("CI") != "true", $"{GuestRuntime.NativeShimPath} was not built (the build needs clang and zlib1g-dev)");
        var exe = File.ResolveLinkTarget($"/proc/{provider.Runtime.State("webloop-0")!.ShimPid}/exe", returnFinalTarget: false)!.FullName;
        Assert.Equal(native ? GuestRuntime.NativeShimPath : "dotnet", native ? exe : Path.GetFileName(exe));
    }

    [Fact]
    public async Task Delete_removes_guests_namespaces_and_supervisors()
    {
        if (EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new EmbeddedHarness();
        var provider = new EmbeddedVmProvider(h.Layout.Root, isolate: true, TimeProvider.System);
        var module = EmbeddedHarness.Module("webdel", EmbeddedHarness.Web());
        Assert.True((await h.InstallAsync(provider, module)).Succeeded);
        var shim = provider.Runtime.State("webdel-0")!.ShimPid;
        Assert.True((await provider.DeleteAsync(h.Request(module), Ct)).Succeeded);
        Assert.False(Directory.Exists(provider.Runtime.GuestDir("webdel-0")));
        Assert.True(!File.Exists($"/proc/{shim}/stat") || File.ReadAllText($"/proc/{shim}/stat").Contains(") Z ", StringComparison.Ordinal), "the supervisor must have exited");
        var (_, namespaces) = await Tappaas.TestUtilities.ProcessRunner.RunAsync("ip", ["netns", "list"]);
        Assert.DoesNotContain("tp-webdel-0", namespaces, StringComparison.Ordinal);
    }

    internal static async Task WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not reached in time");
            await Task.Delay(20);
        }
    }
}

[CollectionDefinition(nameof(GuestCollection), DisableParallelization = true)]
public sealed class GuestCollection;
