using System.Diagnostics;
using Tappaas.Platform.Embedded.Host;

namespace Tappaas.Platform.Embedded.Guests.Drivers;

/// <summary>
/// The <c>process</c> driver: the workload is a command of the host. With isolation (root) it runs in the guest's
/// network namespace (<c>ip netns exec</c>) and in its own mount, UTS and PID namespaces (<c>unshare</c>) with a private
/// <c>/tmp</c> and the guest's hostname, inside the guest's cgroup; it still sees the host's files. Without isolation it
/// is a plain child process on loopback.
/// </summary>
public sealed class ProcessDriver : IGuestDriver
{
    public string Name => GuestDrivers.Process;

    public Task<GuestTask> StartAsync(GuestSpecFile spec, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> cgroupDirs, Action<string, string> output, CancellationToken cancellationToken)
    {
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

    public void Stop(GuestSpecFile spec, GuestTask task) =>
        // In a guest, unshare (the started process) ignores SIGTERM while it waits; the guest's init, its child, forwards it.
        Native.Kill(spec.Isolation == "namespaces" ? Native.FirstChild(task.Pid) ?? task.Pid : task.Pid, Native.SigTerm);

    public void Kill(GuestTask task) => task.Kill();

    public async Task<(int ExitCode, string Output)> ExecAsync(GuestSpecFile spec, int workloadPid, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        if (command.Count == 0)
        {
            throw new ArgumentException("exec needs a command", nameof(command));
        }

        if (spec.Isolation != "namespaces")
        {
            return await GuestTask.RunAsync(new ProcessStartInfo(command[0], command.Skip(1)) { WorkingDirectory = spec.WorkingDir }, cancellationToken);
        }

        // Into the guest's init's namespaces (network, mount with its private /tmp, hostname, PIDs), in its working folder.
        var init = Native.FirstChild(workloadPid) ?? workloadPid;
        return await GuestTask.RunAsync(new ProcessStartInfo("nsenter", [$"--target={init}", "--net", "--mount", "--uts", "--pid", $"--wd={spec.WorkingDir}", "--", .. command]), cancellationToken);
    }

    public string Describe(GuestSpecFile spec) => spec.Isolation == "namespaces"
        ? "process in its own network, mount, UTS and PID namespaces (shares the host's filesystem)"
        : "process on loopback (not isolated from the host)";
}
