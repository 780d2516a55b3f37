using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;
using Tappaas.Model.Resolved;

namespace Tappaas.Model.Validation;

/// <summary>Checks the <c>workload</c> block (our extension of the module file for the embedded platform).</summary>
internal static partial class WorkloadRules
{
    private static readonly string[] s_members = ["command", "args", "env", "workingDir", "user", "volumes", "ports", "health", "restart", "replicas", "stopGrace", "diskCheckInterval", "update", "autoscale"];
    private static readonly string[] s_update = ["strategy", "maxParallel", "maxSurge", "minHealthyTime", "healthyDeadline", "autoRevert", "canary", "drainTime"];
    private static readonly string[] s_autoscale = ["min", "max", "metric", "target", "scaleUpWindow", "scaleDownWindow"];

    public static void Check(JObject w, string path, DiagnosticSink sink)
    {
        string P(string m) => JsonPathText.Member(path, m);
        foreach (var p in w.Properties.Where(p => !s_members.Contains(p.Name) && !p.Name.StartsWith('-')))
        {
            sink.Warning(DiagnosticCodes.UnknownField, P(p.Name), p.NamePosition, $"unknown workload field \"{p.Name}\"", $"workload fields are {string.Join(", ", s_members)}");
        }

        // A missing command is checked with the module (CheckCrossField): an OCI image may supply it.
        if (w["command"] is { } command && command is not JString { Value.Length: > 0 })
        {
            sink.Error(DiagnosticCodes.InvalidItem, P("command"), command.Position, "workload.command must be the program to run", "write e.g. \"command\": \"/usr/bin/python3\"");
        }

        if (w["user"] is { } user && user is not JString { Value.Length: > 0 })
        {
            sink.Error(DiagnosticCodes.InvalidItem, P("user"), user.Position, "workload.user must be a user name or uid[:gid] of the image", "write e.g. \"user\": \"1000:1000\" or \"user\": \"www-data\"");
        }

        if (w["volumes"] is { } volumes)
        {
            if (volumes is not JArray va || va.Items.Any(i => i is not JString))
            {
                sink.Error(DiagnosticCodes.InvalidItem, P("volumes"), volumes.Position, "workload.volumes must be an array of absolute paths in the guest", "write \"volumes\": [\"/data\"]");
            }
            else
            {
                for (var i = 0; i < va.Items.Count; i++)
                {
                    var v = ((JString)va.Items[i]).Value;
                    if (!v.StartsWith('/') || v == "/" || v.Split('/').Any(part => part is "." or "..") || v.Contains('\0', StringComparison.Ordinal))
                    {
                        sink.Error(DiagnosticCodes.InvalidItem, JsonPathText.Index(P("volumes"), i), va.Items[i].Position, $"volume \"{v}\" is not an absolute path below / (without . or ..)", "write e.g. \"/data\" or \"/var/lib/app\"");
                    }
                }
            }
        }

        if (w["args"] is { } args && (args is not JArray a || a.Items.Any(i => i is not JString)))
        {
            sink.Error(DiagnosticCodes.InvalidItem, P("args"), args.Position, "workload.args must be an array of strings", "write \"args\": [\"-m\", \"http.server\"]");
        }

        if (w["env"] is { } env && (env is not JObject e || e.Properties.Any(p => p.Value is JObject or JArray)))
        {
            sink.Error(DiagnosticCodes.InvalidItem, P("env"), env.Position, "workload.env must map names to text values", "write \"env\": {\"GREETING\": \"hello\"}");
        }

        var ports = new HashSet<string>(StringComparer.Ordinal);
        if (w["ports"] is { } portsNode)
        {
            if (portsNode is not JObject po)
            {
                sink.Error(DiagnosticCodes.InvalidItem, P("ports"), portsNode.Position, "workload.ports must map port names to numbers", "write \"ports\": {\"http\": 8080}");
            }
            else
            {
                foreach (var p in po.Properties)
                {
                    ports.Add(p.Name);
                    if (Lenient.Integer(p.Value) is not (>= 1 and <= 65535))
                    {
                        sink.Error(DiagnosticCodes.InvalidItem, JsonPathText.Member(P("ports"), p.Name), p.Value.Position, $"port \"{p.Name}\" is not a number from 1 to 65535", "write e.g. \"http\": 8080");
                    }
                }
            }
        }

        if (w["health"] is JObject health)
        {
            foreach (var kind in new[] { "liveness", "readiness" })
            {
                if (health[kind] is JObject check)
                {
                    CheckHealth(check, JsonPathText.Member(P("health"), kind), ports, sink);
                }
            }
        }

        foreach (var (name, node) in new[] { ("stopGrace", w["stopGrace"]), ("diskCheckInterval", w["diskCheckInterval"]), ("restart.interval", (w["restart"] as JObject)?["interval"]), ("restart.delay", (w["restart"] as JObject)?["delay"]), ("restart.maxDelay", (w["restart"] as JObject)?["maxDelay"]) })
        {
            CheckDuration(node, JsonPathText.Member(path, name), sink);
        }

        if (w["replicas"] is { } replicas && Lenient.Integer(replicas) is not (>= 0 and <= WorkloadLimits.MaxReplicas))
        {
            sink.Error(DiagnosticCodes.InvalidItem, P("replicas"), replicas.Position, $"workload.replicas must be a whole number from 0 to {WorkloadLimits.MaxReplicas}", "write e.g. \"replicas\": 2");
        }

        if (w["update"] is { } update)
        {
            CheckUpdate(update, P("update"), sink);
        }

        if (w["autoscale"] is { } autoscale)
        {
            CheckAutoscale(autoscale, P("autoscale"), sink);
        }
    }

    private static void CheckUpdate(JNode node, string path, DiagnosticSink sink)
    {
        string P(string m) => JsonPathText.Member(path, m);
        if (node is not JObject u)
        {
            sink.Error(DiagnosticCodes.InvalidItem, path, node.Position, "workload.update must be an object", "write e.g. \"update\": {\"maxParallel\": 1, \"minHealthyTime\": \"2s\"}");
            return;
        }

        Unknown(u, path, s_update, "update", sink);
        if (u["strategy"] is { } strategy && Lenient.Text(strategy) is not ("rolling" or "recreate"))
        {
            sink.Error(DiagnosticCodes.InvalidItem, P("strategy"), strategy.Position, "update.strategy must be rolling or recreate", "write \"strategy\": \"rolling\" (new guests first) or \"recreate\" (old ones stop first)");
        }

        foreach (var (name, min) in new[] { ("maxParallel", 1L), ("maxSurge", 0L), ("canary", 0L) })
        {
            if (u[name] is { } n && (Lenient.Integer(n) ?? -1) is var v && (v < min || v > WorkloadLimits.MaxReplicas))
            {
                sink.Error(DiagnosticCodes.InvalidItem, P(name), n.Position, $"update.{name} must be a whole number from {min} to {WorkloadLimits.MaxReplicas}", $"write e.g. \"{name}\": {Math.Max(min, 1)}");
            }
        }

        if (u["autoRevert"] is { } revert && Lenient.Boolean(revert) is null)
        {
            sink.Error(DiagnosticCodes.InvalidItem, P("autoRevert"), revert.Position, "update.autoRevert must be true or false", "write \"autoRevert\": true");
        }

        foreach (var d in new[] { "minHealthyTime", "healthyDeadline", "drainTime" })
        {
            CheckDuration(u[d], P(d), sink);
        }
    }

    private static void CheckAutoscale(JNode node, string path, DiagnosticSink sink)
    {
        string P(string m) => JsonPathText.Member(path, m);
        if (node is not JObject a)
        {
            sink.Error(DiagnosticCodes.InvalidItem, path, node.Position, "workload.autoscale must be an object", "write e.g. \"autoscale\": {\"min\": 1, \"max\": 4, \"metric\": \"rps\", \"target\": 50}");
            return;
        }

        Unknown(a, path, s_autoscale, "autoscale", sink);
        var min = Lenient.Integer(a["min"]);
        var max = Lenient.Integer(a["max"]);
        foreach (var (name, value) in new[] { ("min", min), ("max", max) })
        {
            if (a[name] is not { } n || value is not (>= 0 and <= WorkloadLimits.MaxReplicas))
            {
                sink.Error(DiagnosticCodes.InvalidItem, a[name] is null ? path : P(name), (a[name] ?? a).Position, $"autoscale.{name} must be a whole number from 0 to {WorkloadLimits.MaxReplicas}", "write e.g. \"min\": 1, \"max\": 4");
            }
        }

        if (min is { } lo && max is { } hi && lo > hi)
        {
            sink.Error(DiagnosticCodes.InvalidItem, P("max"), a["max"]!.Position, $"autoscale.max ({hi}) is below autoscale.min ({lo})", "make max at least min");
        }

        if (a["metric"] is { } metric && Lenient.Text(metric) is not ("cpu" or "rps"))
        {
            sink.Error(DiagnosticCodes.InvalidItem, P("metric"), metric.Position, "autoscale.metric must be cpu or rps", "write \"metric\": \"cpu\" (percent of a core per replica) or \"rps\" (requests per second per replica)");
        }

        if (a["target"] is not { } target || !double.TryParse(target.ScalarText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var t) || t <= 0)
        {
            sink.Error(DiagnosticCodes.InvalidItem, a["target"] is null ? path : P("target"), (a["target"] ?? a).Position, "autoscale.target must be a number above 0", "write e.g. \"target\": 70 (cpu percent) or 50 (requests per second)");
        }

        foreach (var d in new[] { "scaleUpWindow", "scaleDownWindow" })
        {
            CheckDuration(a[d], P(d), sink);
        }
    }

    private static void Unknown(JObject o, string path, string[] members, string block, DiagnosticSink sink)
    {
        foreach (var p in o.Properties.Where(p => !members.Contains(p.Name) && !p.Name.StartsWith('-')))
        {
            sink.Warning(DiagnosticCodes.UnknownField, JsonPathText.Member(path, p.Name), p.NamePosition, $"unknown {block} field \"{p.Name}\"", $"{block} fields are {string.Join(", ", members)}");
        }
    }

    private static void CheckHealth(JObject check, string path, HashSet<string> ports, DiagnosticSink sink)
    {
        var kinds = new[] { "http", "tcp", "exec" }.Where(check.Has).ToList();
        if (kinds.Count != 1)
        {
            sink.Error(DiagnosticCodes.InvalidItem, path, check.Position, "a health check needs exactly one of http, tcp or exec", "write e.g. {\"http\": {\"port\": \"http\", \"path\": \"/health\"}}");
            return;
        }

        if (kinds[0] is "http" or "tcp" && check[kinds[0]] is JObject probe && Lenient.Text(probe["port"]) is { } port && !ports.Contains(port))
        {
            sink.Error(DiagnosticCodes.InvalidItem, JsonPathText.Member(JsonPathText.Member(path, kinds[0]), "port"), probe["port"]!.Position,
                $"health check port \"{port}\" is not one of the workload's ports", $"name a port from workload.ports ({string.Join(", ", ports)})");
        }

        foreach (var d in new[] { "interval", "timeout", "startGrace" })
        {
            CheckDuration(check[d], JsonPathText.Member(path, d), sink);
        }
    }

    private static void CheckDuration(JNode? node, string path, DiagnosticSink sink)
    {
        if (node is not null && (node is not JString s || !Durations.IsValid(s.Value)))
        {
            sink.Error(DiagnosticCodes.InvalidItem, path, node.Position, $"{path.Split('.')[^1]} is not a duration", "write a number with ms, s, m or h, e.g. \"2s\"");
        }
    }

}
