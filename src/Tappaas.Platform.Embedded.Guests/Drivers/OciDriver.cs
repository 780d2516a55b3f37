using System.Diagnostics;
using Tappaas.IO;
using Tappaas.Platform.Embedded.Host;
using Tappaas.Platform.Embedded.Guests.Oci;

namespace Tappaas.Platform.Embedded.Guests.Drivers;

/// <summary>
/// The <c>oci</c> driver: the workload is a container from an OCI image, started by Debian's <c>runc</c> detached
/// (<c>runc run -d</c>) from the runtime spec the platform generated, with the environment added at each start. runc
/// returns once the container runs; its init, orphaned, is adopted by the supervisor (a child subreaper), which waits
/// for it and reads its output through the pipes runc handed on — no runtime process stays per guest. The container is
/// deleted once its exit and its cgroup's OOM count are recorded. A command inside it (<c>exec</c>, exec health checks)
/// enters all its namespaces, its root and its cgroup.
/// </summary>
public sealed class OciDriver : IGuestDriver
{
    public string Name => GuestDrivers.Oci;

    public async Task<GuestTask> StartAsync(GuestSpecFile spec, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> cgroupDirs, Action<string, string> output, CancellationToken cancellationToken)
    {
        var oci = Oci(spec);
        if (Directory.Exists(Path.Combine(oci.RuntimeRoot, oci.ContainerId)))
        {
            Run(oci, ["delete", "--force", oci.ContainerId]); // a container a crashed supervisor left
        }
        var bundle = oci.Bundle;
        Directory.CreateDirectory(bundle);
        AtomicFile.Write(Path.Combine(bundle, "config.json"), RuntimeSpec.WithEnvironment(oci.RuntimeSpec, oci.ImageEnv, environment).ToJsonString());
        var pidFile = Path.Combine(bundle, "init.pid");
        File.Delete(pidFile);
        if (!Native.BecomeSubreaper())
        {
            throw new InvalidOperationException("the supervisor cannot become its containers' reaper (prctl PR_SET_CHILD_SUBREAPER failed)");
        }

        var task = GuestTask.Launch(new ProcessStartInfo(oci.Runtime, ["--root", oci.RuntimeRoot, "run", "--detach", "--pid-file", pidFile, "--bundle", bundle, oci.ContainerId]), output, closeInput: true);
        // A runtime that failed (no such entrypoint, a bad spec) is the task: it ended with its error in the output.
        if (await task.WaitForLauncherAsync(cancellationToken) == 0 && File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var init))
        {
            task.Adopt(init);
        }

        return task;
    }

    public void Stop(GuestSpecFile spec, GuestTask task) => Run(Oci(spec), ["kill", Oci(spec).ContainerId, "TERM"]);

    // The container's other processes are the cgroup's; the supervisor kills those too (Cgroup.KillAll).
    public void Kill(GuestTask task) => task.Kill();

    public void Ended(GuestSpecFile spec) => Run(Oci(spec), ["delete", "--force", Oci(spec).ContainerId]);

    public async Task<(int ExitCode, string Output)> ExecAsync(GuestSpecFile spec, int workloadPid, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        if (command.Count == 0)
        {
            throw new ArgumentException("exec needs a command", nameof(command));
        }

        // runc exec joins the user namespace before the (host-owned) network namespace and is refused; nsenter enters
        // the others first. The command runs as the guest's root (an image guest's) in its root folder, its init's working folder
        // (a path given to nsenter would be opened on the host) and its cgroup.
        var init = InitPid(spec) ?? throw new InvalidOperationException($"guest {spec.Guest} has no running container");
        var join = string.Join(" ", CgroupProcs(init).Select(f => $"echo $$ > '{f}' 2>/dev/null;"));
        // Without a user namespace (a confined process guest) the command drops to the guest's uid and capabilities (none).
        var process = Oci(spec).RuntimeSpec["process"];
        var drop = HasUserNamespace(Oci(spec).RuntimeSpec) ? ""
            : $"setpriv --reuid={(long?)process?["user"]?["uid"]} --regid={(long?)process?["user"]?["gid"]} --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all -- ";
        var psi = new ProcessStartInfo("/bin/sh", ["-c", $"{join} exec nsenter --target {init} --all --root --wd -- {drop}\"$@\"", "tappaas-exec", .. command]);
        // With the workload's environment (as written to its bundle at its start), as runc exec would.
        var config = Path.Combine(Oci(spec).Bundle, "config.json");
        if (File.Exists(config) && System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))?["process"]?["env"] is System.Text.Json.Nodes.JsonArray env)
        {
            psi.Environment.Clear();
            foreach (var entry in env.Select(e => (string?)e).OfType<string>().Select(e => e.Split('=', 2)).Where(e => e.Length == 2))
            {
                psi.Environment[entry[0]] = entry[1];
            }
        }

        return await GuestTask.RunAsync(psi, cancellationToken);
    }

    public string Describe(GuestSpecFile spec) => spec.Oci is { } oci
        ? $"oci image {oci.Image} under {oci.Runtime}: user namespace (guest root is host uid {oci.HostUid}), read-only root filesystem, default seccomp profile and capabilities, no new privileges"
        : "oci (no image)";

    /// <summary>The container's init, whose namespaces and uid are the guest's (from <c>runc state</c>); null when it does not run.</summary>
    public static int? InitPid(GuestSpecFile spec)
    {
        var (code, output) = Run(Oci(spec), ["state", Oci(spec).ContainerId]);
        try
        {
            return code == 0 && System.Text.Json.Nodes.JsonNode.Parse(output) is { } state && (string?)state["status"] == "running" && (int?)state["pid"] is > 0 and var pid ? pid : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static bool HasUserNamespace(System.Text.Json.Nodes.JsonObject runtimeSpec) =>
        runtimeSpec["linux"]?["namespaces"] is System.Text.Json.Nodes.JsonArray namespaces && namespaces.Any(n => (string?)n?["type"] == "user");

    private static OciGuest Oci(GuestSpecFile spec) => spec.Oci ?? throw new InvalidOperationException($"guest {spec.Guest} uses the oci driver but its spec has no image");

    /// <summary>The cgroup.procs files of the process's cgroups (v1: one per hierarchy; v2: the unified one).</summary>
    private static IEnumerable<string> CgroupProcs(int pid)
    {
        var lines = File.Exists($"/proc/{pid}/cgroup") ? File.ReadAllLines($"/proc/{pid}/cgroup") : [];
        foreach (var parts in lines.Select(l => l.Split(':', 3)).Where(p => p.Length == 3))
        {
            var hierarchy = parts[1].Length == 0 ? "/sys/fs/cgroup" : Path.Combine("/sys/fs/cgroup", parts[1].Replace("name=", "", StringComparison.Ordinal));
            var file = Path.Combine(hierarchy, parts[2].TrimStart('/'), "cgroup.procs");
            if (parts[2] != "/" && File.Exists(file))
            {
                yield return file;
            }
        }
    }

    /// <summary>Runs the OCI runtime on the site's state folder; returns its exit code and standard output.</summary>
    private static (int ExitCode, string Output) Run(OciGuest oci, IReadOnlyList<string> args)
    {
        using var p = Process.Start(new ProcessStartInfo(oci.Runtime, ["--root", oci.RuntimeRoot, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true });
        if (p is null)
        {
            return (-1, "");
        }

        var error = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        error.Wait();
        return (p.ExitCode, output);
    }
}
