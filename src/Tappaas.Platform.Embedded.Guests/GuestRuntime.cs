using System.Diagnostics;
using System.Text.Json;

using Tappaas.Platform.Embedded.Host;
using Tappaas.IO;

namespace Tappaas.Platform.Embedded.Guests;

/// <summary>Starts, finds and stops guest supervisors. A supervisor runs detached (own session) so it outlives its caller.</summary>
public sealed class GuestRuntime(string siteFolder)
{
    public string GuestsDir => Path.Combine(siteFolder, "guests");

    public string GuestDir(string guest) => Path.Combine(GuestsDir, guest);

    /// <summary>The managed shim next to this assembly (tappaas-shim.dll), run with the same dotnet host.</summary>
    public static string ShimPath => Path.Combine(AppContext.BaseDirectory, "tappaas-shim.dll");

    /// <summary>The same supervisor compiled ahead of time (native/tappaas-shim): what runs when the build made it.</summary>
    public static string NativeShimPath => Path.Combine(AppContext.BaseDirectory, "native", "tappaas-shim");

    /// <summary>
    /// The command line that starts a supervisor: the native one (no JIT or runtime start, about a twentieth of the
    /// memory) when it is there, else the managed one: its own launcher when installed self-contained, else with the
    /// dotnet host this process runs on.
    /// </summary>
    public static IReadOnlyList<string> ShimCommand() => ShimCommand(AppContext.BaseDirectory);

    /// <summary>The supervisor's command line for the platform installed in <paramref name="here"/>.</summary>
    public static IReadOnlyList<string> ShimCommand(string here)
    {
        var native = Path.Combine(here, "native", "tappaas-shim");
        if (File.Exists(native))
        {
            return [native];
        }

        // A self-contained install (the package for a machine the native build does not target) has the managed
        // supervisor's own launcher and the runtime (libhostpolicy.so) beside it, and maybe no dotnet host at all.
        var launcher = Path.Combine(here, "tappaas-shim");
        if (File.Exists(launcher) && File.Exists(Path.Combine(here, "libhostpolicy.so")))
        {
            return [launcher];
        }

        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        return [dotnet, Path.Combine(here, "tappaas-shim.dll")];
    }

    public GuestState? State(string guest)
    {
        var file = Path.Combine(GuestDir(guest), "state.json");
        try
        {
            return File.Exists(file) ? JsonSerializer.Deserialize(File.ReadAllText(file), GuestJson.Default.GuestState) : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>True when the guest's supervisor process runs (so the guest is attached, not orphaned).</summary>
    public bool SupervisorAlive(string guest) => SupervisorAlive(State(guest));

    /// <summary>True when the supervisor that wrote <paramref name="state"/> still runs.</summary>
    public static bool SupervisorAlive(GuestState? state) =>
        state is { ShimPid: > 0 } s && Native.Alive(s.ShimPid) && File.ReadAllText($"/proc/{s.ShimPid}/cmdline").Contains("tappaas-shim", StringComparison.Ordinal);

    /// <summary>Runs a command inside a running guest with the guest's driver (its namespaces, its working folder).</summary>
    public async Task<(int ExitCode, string Output)> ExecAsync(string guest, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        var spec = Spec(guest) ?? throw new InvalidOperationException($"there is no guest {guest}");
        if (State(guest) is not { WorkloadPid: > 0, Status: "running" } state || !Native.Alive(state.WorkloadPid))
        {
            throw new InvalidOperationException($"guest {guest} is not running");
        }

        var driver = Drivers.GuestDrivers.Find(spec.Driver) ?? throw new InvalidOperationException($"guest {guest} names the guest driver \"{spec.Driver}\", which this platform does not have");
        return await driver.ExecAsync(spec, state.WorkloadPid, command, cancellationToken);
    }

    /// <summary>The guest's spec, or null when it has none (or its folder was removed while this read it: a rollout retires guests).</summary>
    public GuestSpecFile? Spec(string guest)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(GuestDir(guest), "spec.json")), GuestJson.Default.GuestSpecFile);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The guests of a module (by their spec), in replica order.</summary>
    public IReadOnlyList<string> GuestsOf(string module) =>
        Directory.Exists(GuestsDir)
            ? [.. Directory.GetDirectories(GuestsDir, module + "-*").Select(Path.GetFileName).OfType<string>().Where(g => Spec(g)?.Module == module).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>Every guest of the site with its module.</summary>
    public IReadOnlyList<(string Guest, GuestSpecFile Spec)> All() =>
        Directory.Exists(GuestsDir)
            ? [.. Directory.GetDirectories(GuestsDir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
                .Select(g => (g, Spec(g))).Where(t => t.Item2 is not null).Select(t => (t.g, t.Item2!))]
            : [];

    /// <summary>
    /// What of the daemon's environment a supervisor, and so its guest, does not get: the platform's own settings and
    /// credentials (an operator's API token, the Proxmox token, the backup repository's password) and the daemon's socket
    /// tuning (it completes sockets inline when it runs the proxy). A guest's TAPPAAS_* values come from its spec.
    /// </summary>
    public static readonly IReadOnlyList<string> DaemonOnly = ["TAPPAAS_", "RESTIC_", "DOTNET_SYSTEM_NET_SOCKETS_"];

    /// <summary>Writes the spec and starts a detached supervisor for it.</summary>
    public void Start(GuestSpecFile spec)
    {
        var dir = GuestDir(spec.Guest);
        Directory.CreateDirectory(dir);
        AtomicFile.Write(Path.Combine(dir, "spec.json"), JsonSerializer.Serialize(spec, GuestJson.Default.GuestSpecFile));
        // The last supervisor's state (a crashed one's names the workload it left): the new supervisor ends that first.
        if (File.Exists(Path.Combine(dir, "state.json")))
        {
            File.Move(Path.Combine(dir, "state.json"), Path.Combine(dir, ShimHost.PreviousStateFile), overwrite: true);
        }

        File.Delete(Path.Combine(dir, DrainingFile));
        // Own session, stdio away from the caller's pipes: the supervisor must not keep a caller's output open or die with it.
        var psi = new ProcessStartInfo("/bin/sh", ["-c", "log=\"$0\"; exec setsid -f \"$@\" </dev/null >>\"$log\" 2>&1", Path.Combine(dir, "shim.log"), .. ShimCommand(), dir])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        foreach (var name in psi.Environment.Keys.Where(k => DaemonOnly.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
        {
            psi.Environment.Remove(name);
        }

        using var launcher = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the guest supervisor");
        launcher.StandardInput.Close();
        launcher.WaitForExit();
    }

    private const string DrainingFile = "draining";

    /// <summary>Takes the guest out of the proxy's rotation and the site DNS while it keeps serving what it has (before it stops).</summary>
    public void Drain(string guest)
    {
        if (Directory.Exists(GuestDir(guest)))
        {
            AtomicFile.Write(Path.Combine(GuestDir(guest), DrainingFile), "");
        }
    }

    /// <summary>True while the guest is being retired: no new traffic should reach it.</summary>
    public bool Draining(string guest) => File.Exists(Path.Combine(GuestDir(guest), DrainingFile));

    /// <summary>Asks the supervisor to stop the guest (SIGTERM, grace, SIGKILL) and waits for it to finish.</summary>
    public async Task StopAsync(string guest, CancellationToken cancellationToken)
    {
        if (State(guest) is not { ShimPid: > 0 } s || !Native.Alive(s.ShimPid))
        {
            return;
        }

        Native.Kill(s.ShimPid, Native.SigTerm);
        var grace = (Spec(guest)?.StopGrace ?? TimeSpan.FromSeconds(10)) + TimeSpan.FromSeconds(5);
        var started = Stopwatch.GetTimestamp();
        while (Native.Alive(s.ShimPid) && Stopwatch.GetElapsedTime(started) < grace)
        {
            await Task.Delay(50, cancellationToken);
        }

        if (Native.Alive(s.ShimPid))
        {
            Native.Kill(s.ShimPid, Native.SigKill);
        }
    }

    /// <summary>
    /// Stops the guest's workload but keeps its supervisor (status <c>held</c>) until <see cref="Release"/>. False when
    /// the supervisor did not hold within the guest's stop grace (the caller then stops and starts it instead).
    /// </summary>
    public async Task<bool> HoldAsync(string guest, CancellationToken cancellationToken)
    {
        if (State(guest) is not { ShimPid: > 0 } s || !SupervisorAlive(guest))
        {
            return false;
        }

        await AtomicFile.WriteAsync(Path.Combine(GuestDir(guest), "hold"), "", cancellationToken);
        Native.Kill(s.ShimPid, Native.SigHup);
        var wait = (Spec(guest)?.StopGrace ?? TimeSpan.FromSeconds(10)) + TimeSpan.FromSeconds(5);
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < wait)
        {
            if (State(guest) is { Status: "held" })
            {
                return true;
            }

            await Task.Delay(10, cancellationToken);
        }

        Release(guest);
        return false;
    }

    /// <summary>Lets a held guest start again.</summary>
    public void Release(string guest) => File.Delete(Path.Combine(GuestDir(guest), "hold"));

    /// <summary>Waits until the guest is ready, failed or the deadline passes; returns the last state.</summary>
    public async Task<GuestState?> WaitReadyAsync(string guest, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var state = State(guest);
            var waited = Stopwatch.GetElapsedTime(started);
            if (state is { Ready: true, Status: "running" } or { Status: "failed" } || waited > deadline)
            {
                return state;
            }

            // Closely while a guest usually gets ready (a container within a few hundred ms), then at a calmer pace.
            await Task.Delay(waited < TimeSpan.FromSeconds(1) ? 5 : 25, cancellationToken);
        }
    }
}
