using Tappaas.Model.Json;

namespace Tappaas.Model.Resolved;

/// <summary>
/// How updates roll out (Nomad's vocabulary): <see cref="MaxParallel"/> new guests at a time, each healthy for
/// <see cref="MinHealthyTime"/> within <see cref="HealthyDeadline"/> before as many old ones are drained for
/// <see cref="DrainTime"/> and stopped; a failure reverts to the running revision (<see cref="AutoRevert"/>). At most
/// <see cref="MaxSurge"/> guests run above the replica count: below <see cref="MaxParallel"/>, old guests make room first.
/// With <see cref="Canary"/> N, an update starts N new guests beside the old ones and stops until promoted.
/// <c>recreate</c> stops the old guests first (for modules that cannot run two revisions at once, and those with a fixed
/// <c>ip</c>).
/// </summary>
public sealed record UpdatePolicy
{
    /// <summary><c>rolling</c> or <c>recreate</c>.</summary>
    public string Strategy { get; init; } = "rolling";

    public int MaxParallel { get; init; } = 1;

    /// <summary>How many guests may run above the replica count during an update (a host short of memory sets 0).</summary>
    public int MaxSurge { get; init; } = 1;

    public TimeSpan MinHealthyTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a new guest may take to become healthy; null: its start grace plus 60 s.</summary>
    public TimeSpan? HealthyDeadline { get; init; }

    public bool AutoRevert { get; init; } = true;

    public int Canary { get; init; }

    /// <summary>How long a retiring guest stays out of the proxy's rotation, serving what it has, before it is stopped.</summary>
    public TimeSpan DrainTime { get; init; } = TimeSpan.FromSeconds(2);

    public bool Rolling => Strategy == "rolling";

    public static UpdatePolicy From(JObject? o, bool fixedAddress)
    {
        var strategy = Lenient.Text(o?["strategy"]) ?? (fixedAddress ? "recreate" : "rolling");
        var parallel = (int)Math.Max(1, Lenient.Integer(o?["maxParallel"]) ?? 1);
        return new UpdatePolicy
        {
            Strategy = fixedAddress ? "recreate" : strategy,
            MaxParallel = parallel,
            MaxSurge = (int)Math.Max(0, Lenient.Integer(o?["maxSurge"]) ?? parallel),
            MinHealthyTime = Durations.Parse(Lenient.Text(o?["minHealthyTime"]), TimeSpan.FromSeconds(1)),
            HealthyDeadline = Lenient.Text(o?["healthyDeadline"]) is { } d ? Durations.Parse(d, TimeSpan.FromSeconds(60)) : null,
            AutoRevert = Lenient.Boolean(o?["autoRevert"]) ?? true,
            Canary = (int)Math.Max(0, Lenient.Integer(o?["canary"]) ?? 0),
            DrainTime = Durations.Parse(Lenient.Text(o?["drainTime"]), TimeSpan.FromSeconds(2)),
        };
    }
}
