using Tappaas.Model.Json;
using Tappaas.Model.Modules;

namespace Tappaas.Model.Resolved;

/// <summary>
/// What a guest runs, from the module's <c>workload</c> block (our extension, placed in <c>config["cluster:vm"]</c>):
/// command and arguments, environment, working folder, named ports, health checks, restart policy, replicas.
/// </summary>
public sealed record ResolvedWorkload
{
    /// <summary>The program; null for an OCI image guest that runs its image's ENTRYPOINT (then <see cref="Args"/> replaces CMD when given).</summary>
    public string? Command { get; init; }

    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Whether the module wrote <c>args</c> (for an image guest, given args replace the image's CMD, even empty ones).</summary>
    public bool ArgsGiven { get; init; }

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Working folder, relative to the module's folder (for an image guest: a path in the guest; null = the image's WorkingDir).</summary>
    public string? WorkingDir { get; init; }

    /// <summary>Who the workload runs as in an image guest: a user name of the image or uid[:gid]; null = the image's User.</summary>
    public string? User { get; init; }

    /// <summary>Paths in an image guest that live on the module's disk; null = the image's VOLUME list.</summary>
    public IReadOnlyList<string>? Volumes { get; init; }

    /// <summary>Port name → port inside the guest.</summary>
    public IReadOnlyDictionary<string, int> Ports { get; init; } = new Dictionary<string, int>();

    public HealthCheck? Liveness { get; init; }

    public HealthCheck? Readiness { get; init; }

    public RestartPolicy Restart { get; init; } = new();

    public int Replicas { get; init; } = WorkloadLimits.DefaultReplicas;

    public TimeSpan StopGrace { get; init; } = WorkloadLimits.DefaultStopGrace;

    /// <summary>How often the guest's disk usage is measured against <c>diskSize</c>.</summary>
    public TimeSpan DiskCheckInterval { get; init; } = WorkloadLimits.DefaultDiskCheckInterval;

    /// <summary>How a new revision replaces the running guests.</summary>
    public UpdatePolicy Update { get; init; } = new();

    /// <summary>Automatic scaling between a minimum and a maximum; null when the replicas are set by hand.</summary>
    public AutoscalePolicy? Autoscale { get; init; }

    /// <summary>Reads the block (validated by <c>WorkloadRules</c>); null when the module has none.</summary>
    public static ResolvedWorkload? From(ModuleDefinition module)
    {
        if (module.Field("workload")?.Value is not JObject w)
        {
            return null;
        }

        return new ResolvedWorkload
        {
            Command = Lenient.Text(w["command"]) ?? (module.Text("imageType") == "oci" ? null : throw new ArgumentException($"module \"{module.Name}\": workload.command is missing")),
            Args = Lenient.Strings(w["args"]),
            ArgsGiven = w["args"] is JArray,
            User = Lenient.Text(w["user"]),
            Volumes = w["volumes"] is JArray ? Lenient.Strings(w["volumes"]) : null,
            Env = (w["env"] as JObject)?.Properties.Where(p => p.Value.ScalarText is not null).ToDictionary(p => p.Name, p => p.Value.ScalarText!) ?? [],
            WorkingDir = Lenient.Text(w["workingDir"]),
            Ports = (w["ports"] as JObject)?.Properties.ToDictionary(p => p.Name, p => (int)(Lenient.Integer(p.Value) ?? 0)) ?? [],
            Liveness = HealthCheck.From((w["health"] as JObject)?["liveness"] as JObject),
            Readiness = HealthCheck.From((w["health"] as JObject)?["readiness"] as JObject),
            Restart = RestartPolicy.From(w["restart"] as JObject),
            Replicas = (int)(Lenient.Integer(w["replicas"]) ?? WorkloadLimits.DefaultReplicas),
            StopGrace = Durations.Parse(Lenient.Text(w["stopGrace"]), WorkloadLimits.DefaultStopGrace),
            DiskCheckInterval = Durations.Parse(Lenient.Text(w["diskCheckInterval"]), WorkloadLimits.DefaultDiskCheckInterval),
            Update = UpdatePolicy.From(w["update"] as JObject, module.Has("ip")),
            Autoscale = AutoscalePolicy.From(w["autoscale"] as JObject),
        };
    }
}
