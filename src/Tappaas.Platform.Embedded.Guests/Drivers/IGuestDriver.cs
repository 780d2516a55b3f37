namespace Tappaas.Platform.Embedded.Guests.Drivers;

/// <summary>
/// What a guest is: a host process (<see cref="ProcessDriver"/>), and with later drivers an OCI container or a
/// virtual machine. A driver starts a guest's workload, signals and kills it, runs a command inside it and says what it
/// is; the supervisor above it (<see cref="ShimHost"/>) keeps what every guest shares — restarts with back-off, health
/// checks, logs, state, disk accounting — and the platform above that keeps networking, rollouts and backups.
/// </summary>
public interface IGuestDriver
{
    /// <summary>The name a guest's spec chooses it by (<see cref="GuestSpecFile.Driver"/>).</summary>
    string Name { get; }

    /// <summary>
    /// Starts the guest's workload with <paramref name="environment"/> (secrets already resolved), its output going to
    /// <paramref name="output"/> line by line ("out" or "err", the line); the task ends when the workload does.
    /// </summary>
    Task<GuestTask> StartAsync(GuestSpecFile spec, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> cgroupDirs, Action<string, string> output, CancellationToken cancellationToken);

    /// <summary>Asks the workload to stop (SIGTERM to what acts as the guest's init).</summary>
    void Stop(GuestSpecFile spec, GuestTask task);

    /// <summary>Ends the workload and everything it started, now.</summary>
    void Kill(GuestTask task);

    /// <summary>The workload ended and its exit is recorded (exit code, OOM kills): release what the runtime kept of it.</summary>
    void Ended(GuestSpecFile spec)
    {
    }

    /// <summary>Runs a command inside the running guest (its namespaces, its root) and returns its exit code and output.</summary>
    Task<(int ExitCode, string Output)> ExecAsync(GuestSpecFile spec, int workloadPid, IReadOnlyList<string> command, CancellationToken cancellationToken);

    /// <summary>What the guest is, in words, for status (e.g. "process in namespaces (shares the host's filesystem)").</summary>
    string Describe(GuestSpecFile spec);
}
