using System.Globalization;
using System.Text.RegularExpressions;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;

namespace Tappaas.Platform.Embedded.Workloads;

/// <summary>
/// What a guest runs, from the module's <c>workload</c> block (our extension, placed in <c>config["cluster:vm"]</c>):
/// command and arguments, environment, working folder, named ports, health checks, restart policy, replicas.
/// </summary>
public sealed partial record WorkloadSpec
{
    public required string Command { get; init; }

    public IReadOnlyList<string> Args { get; init; } = [];

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Working folder, relative to the module's folder.</summary>
    public string? WorkingDir { get; init; }

    /// <summary>Port name → port inside the guest.</summary>
    public IReadOnlyDictionary<string, int> Ports { get; init; } = new Dictionary<string, int>();

    public HealthCheckSpec? Liveness { get; init; }

    public HealthCheckSpec? Readiness { get; init; }

    public RestartPolicySpec Restart { get; init; } = new();

    public int Replicas { get; init; } = 1;

    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the guest's disk usage is measured against <c>diskSize</c>.</summary>
    public TimeSpan DiskCheckInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How a new revision replaces the running guests.</summary>
    public UpdatePolicySpec Update { get; init; } = new();

    /// <summary>Automatic scaling between a minimum and a maximum; null when the replicas are set by hand.</summary>
    public AutoscaleSpec? Autoscale { get; init; }

    /// <summary>Reads the block; null when the module has none.</summary>
    public static WorkloadSpec? From(ModuleDefinition module)
    {
        if (module.Field("workload")?.Value is not JObject w)
        {
            return null;
        }

        return new WorkloadSpec
        {
            Command = Lenient.Text(w["command"]) ?? throw new ArgumentException($"module \"{module.Name}\": workload.command is missing"),
            Args = Lenient.Strings(w["args"]),
            Env = (w["env"] as JObject)?.Properties.Where(p => p.Value.ScalarText is not null).ToDictionary(p => p.Name, p => p.Value.ScalarText!) ?? [],
            WorkingDir = Lenient.Text(w["workingDir"]),
            Ports = (w["ports"] as JObject)?.Properties.ToDictionary(p => p.Name, p => (int)(Lenient.Integer(p.Value) ?? 0)) ?? [],
            Liveness = HealthCheckSpec.From((w["health"] as JObject)?["liveness"] as JObject),
            Readiness = HealthCheckSpec.From((w["health"] as JObject)?["readiness"] as JObject),
            Restart = RestartPolicySpec.From(w["restart"] as JObject),
            Replicas = (int)(Lenient.Integer(w["replicas"]) ?? 1),
            StopGrace = Duration(Lenient.Text(w["stopGrace"]), TimeSpan.FromSeconds(10)),
            DiskCheckInterval = Duration(Lenient.Text(w["diskCheckInterval"]), TimeSpan.FromSeconds(30)),
            Update = UpdatePolicySpec.From(w["update"] as JObject, module.Has("ip")),
            Autoscale = AutoscaleSpec.From(w["autoscale"] as JObject),
        };
    }

    /// <summary>Parses durations like <c>500ms</c>, <c>2s</c>, <c>5m</c>, <c>1h</c>.</summary>
    public static TimeSpan Duration(string? text, TimeSpan fallback)
    {
        if (text is null || DurationText().Match(text) is not { Success: true } m)
        {
            return fallback;
        }

        var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => TimeSpan.FromSeconds(n),
        };
    }

    [GeneratedRegex("^([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)$")]
    internal static partial Regex DurationText();
}

/// <summary>One health check: exactly one of http, tcp or exec, with timing and thresholds.</summary>
public sealed record HealthCheckSpec
{
    /// <summary>http, tcp or exec.</summary>
    public required string Kind { get; init; }

    /// <summary>Port name (http, tcp).</summary>
    public string? Port { get; init; }

    /// <summary>Path (http).</summary>
    public string Path { get; init; } = "/";

    /// <summary>Command and arguments (exec).</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    public int FailureThreshold { get; init; } = 3;

    public int SuccessThreshold { get; init; } = 1;

    public TimeSpan StartGrace { get; init; } = TimeSpan.Zero;

    public static HealthCheckSpec? From(JObject? o)
    {
        if (o is null)
        {
            return null;
        }

        var (kind, body) = o["http"] is JObject h ? ("http", h) : o["tcp"] is JObject t ? ("tcp", t) : o["exec"] is JObject e ? ("exec", e) : ("", (JObject?)null);
        if (body is null)
        {
            return null;
        }

        return new HealthCheckSpec
        {
            Kind = kind,
            Port = Lenient.Text(body["port"]),
            Path = Lenient.Text(body["path"]) ?? "/",
            Command = Lenient.Strings(body["command"]),
            Interval = WorkloadSpec.Duration(Lenient.Text(o["interval"]), TimeSpan.FromSeconds(2)),
            Timeout = WorkloadSpec.Duration(Lenient.Text(o["timeout"]), TimeSpan.FromSeconds(1)),
            FailureThreshold = (int)(Lenient.Integer(o["failureThreshold"]) ?? 3),
            SuccessThreshold = (int)(Lenient.Integer(o["successThreshold"]) ?? 1),
            StartGrace = WorkloadSpec.Duration(Lenient.Text(o["startGrace"]), TimeSpan.Zero),
        };
    }
}

/// <summary>Restart policy (Nomad's vocabulary): at most <see cref="Attempts"/> restarts within <see cref="Interval"/>, each after an exponentially growing <see cref="Delay"/> with jitter, then fail.</summary>
public sealed record RestartPolicySpec
{
    public int Attempts { get; init; } = 5;

    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    public double Jitter { get; init; } = 0.2;

    public static RestartPolicySpec From(JObject? o) => o is null ? new() : new()
    {
        Attempts = (int)(Lenient.Integer(o["attempts"]) ?? 5),
        Interval = WorkloadSpec.Duration(Lenient.Text(o["interval"]), TimeSpan.FromMinutes(5)),
        Delay = WorkloadSpec.Duration(Lenient.Text(o["delay"]), TimeSpan.FromMilliseconds(250)),
        MaxDelay = WorkloadSpec.Duration(Lenient.Text(o["maxDelay"]), TimeSpan.FromSeconds(30)),
        Jitter = double.TryParse(Lenient.Text(o["jitter"]), NumberStyles.Float, CultureInfo.InvariantCulture, out var j) ? j : 0.2,
    };

    /// <summary>The delay before restart number <paramref name="attempt"/> (1-based), with jitter from <paramref name="random"/>.</summary>
    public TimeSpan DelayFor(int attempt, Random random)
    {
        var baseMs = Math.Min(Delay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1)), MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(baseMs * (1 + Jitter * (random.NextDouble() * 2 - 1)));
    }
}

/// <summary>
/// How updates roll out (Nomad's vocabulary): <see cref="MaxParallel"/> new guests at a time, each healthy for
/// <see cref="MinHealthyTime"/> within <see cref="HealthyDeadline"/> before as many old ones are drained for
/// <see cref="DrainTime"/> and stopped; a failure reverts to the running revision (<see cref="AutoRevert"/>). At most
/// <see cref="MaxSurge"/> guests run above the replica count: below <see cref="MaxParallel"/>, old guests make room first.
/// With <see cref="Canary"/> N, an update starts N new guests beside the old ones and stops until promoted.
/// <c>recreate</c> stops the old guests first (for modules that cannot run two revisions at once, and those with a fixed
/// <c>ip</c>).
/// </summary>
public sealed record UpdatePolicySpec
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

    public static UpdatePolicySpec From(JObject? o, bool fixedAddress)
    {
        var strategy = Lenient.Text(o?["strategy"]) ?? (fixedAddress ? "recreate" : "rolling");
        var parallel = (int)Math.Max(1, Lenient.Integer(o?["maxParallel"]) ?? 1);
        return new UpdatePolicySpec
        {
            Strategy = fixedAddress ? "recreate" : strategy,
            MaxParallel = parallel,
            MaxSurge = (int)Math.Max(0, Lenient.Integer(o?["maxSurge"]) ?? parallel),
            MinHealthyTime = WorkloadSpec.Duration(Lenient.Text(o?["minHealthyTime"]), TimeSpan.FromSeconds(1)),
            HealthyDeadline = Lenient.Text(o?["healthyDeadline"]) is { } d ? WorkloadSpec.Duration(d, TimeSpan.FromSeconds(60)) : null,
            AutoRevert = Lenient.Boolean(o?["autoRevert"]) ?? true,
            Canary = (int)Math.Max(0, Lenient.Integer(o?["canary"]) ?? 0),
            DrainTime = WorkloadSpec.Duration(Lenient.Text(o?["drainTime"]), TimeSpan.FromSeconds(2)),
        };
    }
}

/// <summary>
/// Automatic scaling between <see cref="Min"/> and <see cref="Max"/> replicas on a metric per replica — <c>cpu</c>
/// (percent of one core) or <c>rps</c> (proxied requests per second) — against <see cref="Target"/>. A scale up needs the
/// metric above target for the whole <see cref="ScaleUpWindow"/>, a scale down below it for <see cref="ScaleDownWindow"/>,
/// so short spikes and dips do not make it flap.
/// </summary>
public sealed record AutoscaleSpec
{
    public int Min { get; init; } = 1;

    public int Max { get; init; } = 1;

    /// <summary><c>cpu</c> or <c>rps</c>.</summary>
    public string Metric { get; init; } = "cpu";

    public double Target { get; init; } = 70;

    public TimeSpan ScaleUpWindow { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ScaleDownWindow { get; init; } = TimeSpan.FromMinutes(5);

    public static AutoscaleSpec? From(JObject? o) => o is null ? null : new AutoscaleSpec
    {
        Min = (int)(Lenient.Integer(o["min"]) ?? 1),
        Max = (int)(Lenient.Integer(o["max"]) ?? Lenient.Integer(o["min"]) ?? 1),
        Metric = Lenient.Text(o["metric"]) ?? "cpu",
        Target = double.TryParse(o["target"]?.ScalarText, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) ? t : 70,
        ScaleUpWindow = WorkloadSpec.Duration(Lenient.Text(o["scaleUpWindow"]), TimeSpan.FromSeconds(30)),
        ScaleDownWindow = WorkloadSpec.Duration(Lenient.Text(o["scaleDownWindow"]), TimeSpan.FromMinutes(5)),
    };
}
