using System.Text.RegularExpressions;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;

namespace Tappaas.Model.Validation;

/// <summary>Checks the <c>workload</c> block (our extension of the module file for the embedded platform).</summary>
internal static partial class WorkloadRules
{
    private static readonly string[] s_members = ["command", "args", "env", "workingDir", "ports", "health", "restart", "replicas", "stopGrace", "diskCheckInterval"];

    public static void Check(JObject w, string path, DiagnosticSink sink)
    {
        string P(string m) => JsonPathText.Member(path, m);
        foreach (var p in w.Properties.Where(p => !s_members.Contains(p.Name) && !p.Name.StartsWith('-')))
        {
            sink.Warning(DiagnosticCodes.UnknownField, P(p.Name), p.NamePosition, $"unknown workload field \"{p.Name}\"", $"workload fields are {string.Join(", ", s_members)}");
        }

        if (w["command"] is not JString { Value.Length: > 0 })
        {
            sink.Error(DiagnosticCodes.InvalidItem, w["command"] is null ? path : P("command"), (w["command"] ?? w).Position,
                "workload.command must be the program to run", "write e.g. \"command\": \"/usr/bin/python3\"");
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

        if (w["replicas"] is { } replicas && Lenient.Integer(replicas) is not (>= 0 and <= 64))
        {
            sink.Error(DiagnosticCodes.InvalidItem, P("replicas"), replicas.Position, "workload.replicas must be a whole number from 0 to 64", "write e.g. \"replicas\": 2");
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
        if (node is not null && (node is not JString s || !Duration().IsMatch(s.Value)))
        {
            sink.Error(DiagnosticCodes.InvalidItem, path, node.Position, $"{path.Split('.')[^1]} is not a duration", "write a number with ms, s, m or h, e.g. \"2s\"");
        }
    }

    [GeneratedRegex("^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$")]
    private static partial Regex Duration();
}
