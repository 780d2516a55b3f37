using System.Text.Json.Nodes;
using Tappaas.Engine.Apply;

namespace Tappaas.Engine;

public sealed partial class SiteEngine
{
    /// <summary>The most replicas a workload may have (as the workload block's validation says).</summary>
    public const int MaxReplicas = 64;

    /// <summary>
    /// Sets how many replicas of a module's workload run, as a journalled run that records a new revision: the guest
    /// provider starts the missing replicas or removes the surplus ones. No snapshot: disks do not change.
    /// </summary>
    public Task<ApplyOutcome> ScaleAsync(string module, int replicas, EngineOptions options, CancellationToken cancellationToken) =>
        RunLockedAsync("scale", options.Flags, async () =>
        {
            if (replicas is < 0 or > MaxReplicas)
            {
                return (null, ApplyOutcome.Refuse(EngineCodes.InvalidDefinition, $"{replicas} replicas is out of range", $"give a number from 0 to {MaxReplicas}"));
            }

            if (await Installed(module, cancellationToken) is not { } record)
            {
                return (null, NotInstalled(module));
            }

            var root = JsonNode.Parse(record.Definition)!.AsObject();
            var workload = root["workload"] as JsonObject
                ?? (root["config"] as JsonObject)?.Select(block => (block.Value as JsonObject)?["workload"] as JsonObject).FirstOrDefault(w => w is not null);
            if (workload is null)
            {
                return (null, ApplyOutcome.Refuse(EngineCodes.InvalidDefinition, $"module \"{module}\" has no workload block, so it has no replicas to scale",
                    "scaling is for modules that run on the embedded platform (see docs/module-format.md, the workload block)"));
            }

            var from = workload["replicas"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 1;
            workload["replicas"] = replicas;
            var definition = Model.Json.JsonText.Write(Parse(module, root.ToJsonString()).ToCanonical());
            if (Validate([Parse(module, definition)]) is { } invalid)
            {
                return (null, invalid);
            }

            var location = Parse(module, record.Definition).Text("location") ?? Layout.ConfigDir;
            return (await ConvergePayloadAsync("scale", module, record, definition, null, location, $"scale from {from} to {replicas} replicas",
                options with { NoSnapshot = true }, cancellationToken), null);
        }, cancellationToken);
}
