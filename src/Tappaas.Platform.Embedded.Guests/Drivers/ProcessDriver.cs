using System.Diagnostics;
using Tappaas.Platform.Embedded.Host;

namespace Tappaas.Platform.Embedded.Guests.Drivers;

/// <summary>
/// The <c>process</c> driver: the workload is a command of the host. With isolation (root) it is confined
/// (<see cref="Oci.ConfinedProcess"/>): a container of the OCI runtime whose root is a read-only view of the host
/// without the site, run as the module's own unprivileged uid with no capabilities; the spec carries its runtime spec,
/// and starting, stopping and entering it are the <c>oci</c> driver's. A spec of an earlier release without one runs in
/// the guest's network namespace and its own mount, UTS and PID namespaces (<c>unshare</c>) until it is next updated.
/// Without isolation it is a plain child process on loopback.
/// </summary>
public sealed class ProcessDriver : IGuestDriver
{
    private readonly OciDriver _confined = new();

    public string Name => GuestDrivers.Process;

    public Task<GuestTask> StartAsync(GuestSpecFile spec, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> cgroupDirs, Action<string, string> output, CancellationToken cancellationToken)
    {
        if (spec.Oci is { } oci)
        {
            Oci.ConfinedProcess.LayOut((string)oci.RuntimeSpec["root"]!["path"]!);
            return _confined.StartAsync(spec, environment, cgroupDirs, output, cancellationToken);
        }

        ProcessStartInfo psi;
        if (spec.Isolation == "namespaces")
        {
            var join = string.Join(" ", cgroupDirs.Select(d => $"echo $$ > {d}/cgroup.procs;"));
            // cd first: the working folder keeps working even if it lies under the /tmp that is then replaced by a private one.
            // The shell is PID 1 of the guest's PID namespace, where the kernel drops signals a process has no handler for
            // (most workloads have none for SIGTERM): it runs the workload as its child and forwards SIGTERM and SIGINT.
            var inner = $"cd '{spec.WorkingDir}' && mount -t tmpfs -o mode=1777 tmpfs /tmp && hostname {spec.Hostname} || exit 125; " +
                "\"$@\" & c=$!; trap \"kill -TERM $c 2>/dev/null\" TERM INT; wait $c; s=$?; while kill -0 $c 2>/dev/null; do wait $c; s=$?; done; exit $s";
            var script = $"{join} exec ip netns exec {spec.Namespace} unshare --mount --uts --pid --fork --kill-child=SIGTERM --mount-proc --propagation private /bin/sh -c '{inner}' tappaas-init \"$@\"";
            psi = new ProcessStartInfo("/bin/sh", ["-c", script, "tappaas-guest", spec.Command, .. spec.Args]);
        }
        else
        {
            psi = new ProcessStartInfo(spec.Command, spec.Args) { WorkingDirectory = spec.WorkingDir };
        }

        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }

        return Task.FromResult(GuestTask.Launch(psi, output));
    }

    public void Stop(GuestSpecFile spec, GuestTask task)
    {
        if (spec.Oci is not null)
        {
            _confined.Stop(spec, task);
            return;
        }

        // In a guest, unshare (the started process) ignores SIGTERM while it waits; the guest's init, its child, forwards it.
        Native.Kill(spec.Isolation == "namespaces" ? Native.FirstChild(task.Pid) ?? task.Pid : task.Pid, Native.SigTerm);
    }

    public void Kill(GuestTask task) => task.Kill();

    public void Ended(GuestSpecFile spec)
    {
        if (spec.Oci is not null)
        {
            _confined.Ended(spec);
        }
    }

    public async Task<(int ExitCode, string Output)> ExecAsync(GuestSpecFile spec, int workloadPid, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        if (command.Count == 0)
        {
            throw new ArgumentException("exec needs a command", nameof(command));
        }

        if (spec.Oci is not null)
        {
            return await _confined.ExecAsync(spec, workloadPid, command, cancellationToken);
        }

        if (spec.Isolation != "namespaces")
        {
            return await GuestTask.RunAsync(new ProcessStartInfo(command[0], command.Skip(1)) { WorkingDirectory = spec.WorkingDir }, cancellationToken);
        }

        // Into the guest's init's namespaces (network, mount with its private /tmp, hostname, PIDs), in its working folder.
        var init = Native.FirstChild(workloadPid) ?? workloadPid;
        return await GuestTask.RunAsync(new ProcessStartInfo("nsenter", [$"--target={init}", "--net", "--mount", "--uts", "--pid", $"--wd={spec.WorkingDir}", "--", .. command]), cancellationToken);
    }

    public string Describe(GuestSpecFile spec) => spec.Oci is { } oci
        ? $"process confined by {oci.Runtime}: host uid {(long?)oci.RuntimeSpec["process"]?["user"]?["uid"]} of its own, no capabilities, no new privileges, default seccomp profile; "
          + $"a read-only view of the host without the site, its files read-only at {Oci.ConfinedProcess.AppPath} and its disk at {Oci.ConfinedProcess.DataPath}; "
          + "its own network, mount, PID, IPC, UTS and cgroup namespaces"
        : spec.Isolation == "namespaces"
        ? "process in its own network, mount, UTS and PID namespaces (shares the host's filesystem)"
        : "process on loopback (not isolated from the host)";
}
