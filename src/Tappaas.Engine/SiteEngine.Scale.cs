using Tappaas.Engine.Apply;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Model.Resolved;

namespace Tappaas.Engine;

public sealed partial class SiteEngine
{
    /// <summary>
    /// Sets how many replicas of a module's workload run, as a journalled run that records a new revision: the guest
    /// provider starts the missing replicas or removes the surplus ones. No snapshot: disks do not change.
    /// </summary>
    public Task<ApplyOutcome> ScaleAsync(string module, int replicas, EngineOptions options, CancellationToken cancellationToken) =>
        RunLockedAsync("scale", options.Flags, async () =>
        {
            if (replicas is < 0 or > WorkloadLimits.MaxReplicas)
            {
                return (null, ApplyOutcome.Refuse(EngineCodes.InvalidDefinition, $"{replicas} replicas is out of range", $"give a number from 0 to {WorkloadLimits.MaxReplicas}"));
            }

            if (await Installed(module, cancellationToken) is not { } record)
            {
                return (null, NotInstalled(module));
            }

            // The workload is a flat field wherever its block puts it: set replicas in the flat form, write it canonical again.
            var current = Parse(module, record.Definition);
            if (current.Field("workload")?.Value is not JObject workload)
            {
                return (null, ApplyOutcome.Refuse(EngineCodes.InvalidDefinition, $"module \"{module}\" has no workload block, so it has no replicas to scale",
                    "scaling is for modules that run on the embedded platform (see docs/module-format.md, the workload block)"));
            }

            var from = ModuleResolver.Resolve(current).Workload?.Replicas ?? WorkloadLimits.DefaultReplicas;
            var flat = current.ToFlat();
            var scaled = new ModuleDefinition(module, current.File, flat.With("workload", workload.With("replicas", new JNumber(replicas.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
            var definition = JsonText.Write(scaled.ToCanonical());
            if (Validate([scaled]) is { } invalid)
            {
                return (null, invalid);
            }

            return await ConvergeAsync("scale", module, record, definition, null, current.Text("location") ?? Layout.ConfigDir, $"scale from {from} to {replicas} replicas",
                options with { NoSnapshot = true }, cancellationToken);
        }, cancellationToken);
}
