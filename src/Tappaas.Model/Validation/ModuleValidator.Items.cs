using System.Text.RegularExpressions;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Fields;
using Tappaas.Model.Json;

namespace Tappaas.Model.Validation;

public static partial class ModuleValidator
{
    private static readonly string[] s_protocols = ["TCP", "UDP", "TCP/UDP", "ICMP"];
    private static readonly string[] s_natProtocols = ["TCP", "UDP", "TCP/UDP"];
    private static readonly string[] s_aliasTypes = ["host", "network", "port", "url"];

    private static void CheckItems(FieldDefinition def, JArray array, string path, DiagnosticSink sink)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < array.Items.Count; i++)
        {
            var item = array.Items[i];
            var itemPath = JsonPathText.Index(path, i);
            switch (def.Items)
            {
                case ItemRule.Strings:
                    if (item is not JString s)
                    {
                        Item(sink, itemPath, item, $"{def.Name}[{i}] is {item.KindName}, expected a string", ExampleFor(def));
                    }
                    else if (def.ItemPattern is { } p && !Patterns.IsMatch(p, s.Value))
                    {
                        Item(sink, itemPath, item, $"{def.Name} item \"{s.Value}\" does not match {p}", ExampleFor(def));
                    }
                    else if (!seen.Add(s.Value))
                    {
                        sink.Warning(DiagnosticCodes.InvalidItem, itemPath, item.Position, $"{def.Name} lists \"{s.Value}\" twice", "remove the duplicate");
                    }

                    break;
                case ItemRule.Ports:
                    if (Obj(def, item, i, itemPath, sink) is { } port)
                    {
                        Port(port, "port", required: true, itemPath, sink);
                        Enum(port, "protocol", s_protocols, itemPath, sink);
                        Str(port, "description", required: false, itemPath, sink);
                    }

                    break;
                case ItemRule.Ingress:
                case ItemRule.Egress:
                    if (Obj(def, item, i, itemPath, sink) is { } rule)
                    {
                        Str(rule, def.Items == ItemRule.Ingress ? "from" : "to", required: true, itemPath, sink);
                        PortList(rule, itemPath, sink);
                        Enum(rule, "protocol", s_protocols, itemPath, sink);
                        Str(rule, "description", required: true, itemPath, sink);
                    }

                    break;
                case ItemRule.NatRules:
                    if (Obj(def, item, i, itemPath, sink) is { } nat)
                    {
                        Port(nat, "externalPort", required: true, itemPath, sink);
                        Port(nat, "internalPort", required: false, itemPath, sink);
                        Enum(nat, "protocol", s_natProtocols, itemPath, sink);
                        Str(nat, "description", required: false, itemPath, sink);
                    }

                    break;
                case ItemRule.UdpRelay:
                    if (Obj(def, item, i, itemPath, sink) is { } relay)
                    {
                        Port(relay, "port", required: true, itemPath, sink);
                        StrList(relay, "zones", required: true, itemPath, sink);
                    }

                    break;
            }
        }
    }

    private static void CheckMembers(FieldDefinition def, JObject obj, string path, DiagnosticSink sink)
    {
        switch (def.Items)
        {
            case ItemRule.Aliases:
                foreach (var p in obj.Properties)
                {
                    var aliasPath = JsonPathText.Member(path, p.Name);
                    if (!AliasName().IsMatch(p.Name))
                    {
                        sink.Error(DiagnosticCodes.InvalidItem, aliasPath, p.NamePosition, $"alias name \"{p.Name}\" is not valid", "use a letter, then letters, digits, '_' or '-'");
                    }

                    if (p.Value is not JObject alias)
                    {
                        Item(sink, aliasPath, p.Value, $"alias \"{p.Name}\" is {p.Value.KindName}, expected an object", "write {\"type\": \"host\", \"addresses\": [\"10.0.0.5\"], \"description\": \"why\"}");
                        continue;
                    }

                    if (!alias.Has("type"))
                    {
                        Item(sink, aliasPath, alias, $"alias \"{p.Name}\" has no \"type\"", "add \"type\": \"host\", \"network\", \"port\" or \"url\"");
                    }

                    Enum(alias, "type", s_aliasTypes, aliasPath, sink);
                    StrList(alias, "addresses", required: true, aliasPath, sink);
                    Str(alias, "description", required: true, aliasPath, sink);
                }

                break;
            case ItemRule.Windows:
                Bool(obj, "enableRDP", path, sink);
                break;
            case ItemRule.Workload:
                WorkloadRules.Check(obj, path, sink);
                break;
            case ItemRule.Identity:
                Bool(obj, "providesAdminRole", path, sink);
                StrList(obj, "oidcRedirectPaths", required: false, path, sink);
                StrList(obj, "scopes", required: false, path, sink);
                Str(obj, "secretsEnv", required: false, path, sink);
                Str(obj, "configureService", required: false, path, sink);
                break;
        }
    }

    private static JObject? Obj(FieldDefinition def, JNode item, int i, string path, DiagnosticSink sink)
    {
        if (item is JObject o)
        {
            return o;
        }

        Item(sink, path, item, $"{def.Name}[{i}] is {item.KindName}, expected an object", ExampleFor(def));
        return null;
    }

    private static void Port(JObject o, string member, bool required, string path, DiagnosticSink sink)
    {
        var node = o[member];
        if (node is null)
        {
            if (required)
            {
                Item(sink, path, o, $"\"{member}\" is missing", $"add \"{member}\": 8080 (or a range \"8000:8010\")");
            }

            return;
        }

        if (!IsPort(node))
        {
            Item(sink, JsonPathText.Member(path, member), node, $"{member} {node.Display} is not a port from 1 to 65535 or a range \"a:b\" (or \"a-b\")", "write e.g. 8080 or \"8000:8010\"");
        }
    }

    private static void PortList(JObject o, string path, DiagnosticSink sink)
    {
        var node = o["ports"];
        if (node is not JArray ports)
        {
            Item(sink, node is null ? path : JsonPathText.Member(path, "ports"), node ?? o,
                node is null ? "\"ports\" is missing" : $"ports is {node.KindName}, expected an array of ports", "write \"ports\": [443]");
            return;
        }

        for (var i = 0; i < ports.Items.Count; i++)
        {
            if (!IsPort(ports.Items[i]))
            {
                Item(sink, JsonPathText.Index(JsonPathText.Member(path, "ports"), i), ports.Items[i],
                    $"port {ports.Items[i].Display} is not a port from 1 to 65535 or a range \"a:b\" (or \"a-b\")", "write e.g. 443 or \"8000:8010\"");
            }
        }
    }

    private static bool IsPort(JNode node)
    {
        if (Lenient.Integer(node) is { } single)
        {
            return single is >= 1 and <= 65535;
        }

        if (node is JString s && PortRange().Match(s.Value) is { Success: true } m)
        {
            var a = long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var b = long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            return a is >= 1 and <= 65535 && b is >= 1 and <= 65535 && a <= b;
        }

        return false;
    }

    private static void Enum(JObject o, string member, string[] values, string path, DiagnosticSink sink)
    {
        if (o[member] is { } node && (node is not JString s || !values.Contains(s.Value)))
        {
            Item(sink, JsonPathText.Member(path, member), node, $"{member} {node.Display} is not one of {string.Join(", ", values)}", $"use one of {string.Join(", ", values)}");
        }
    }

    private static void Str(JObject o, string member, bool required, string path, DiagnosticSink sink)
    {
        var node = o[member];
        if (node is null && required)
        {
            Item(sink, path, o, $"\"{member}\" is missing", member == "description"
                ? "add \"description\": why this is needed (it is recorded with the firewall rule)"
                : $"add \"{member}\"");
        }
        else if (node is not null and not JString)
        {
            Item(sink, JsonPathText.Member(path, member), node, $"{member} is {node.KindName}, expected a string", $"write \"{member}\" as a string");
        }
    }

    private static void StrList(JObject o, string member, bool required, string path, DiagnosticSink sink)
    {
        var node = o[member];
        if (node is null)
        {
            if (required)
            {
                Item(sink, path, o, $"\"{member}\" is missing", $"add \"{member}\": [ … ]");
            }
        }
        else if (node is not JArray a || a.Items.Any(i => i is not JString))
        {
            Item(sink, JsonPathText.Member(path, member), node, $"{member} must be an array of strings", $"write \"{member}\": [\"…\"]");
        }
    }

    private static void Bool(JObject o, string member, string path, DiagnosticSink sink)
    {
        if (o[member] is { } node && node.ScalarText is not ("true" or "false"))
        {
            Item(sink, JsonPathText.Member(path, member), node, $"{member} is {node.Display}, expected true or false", $"write \"{member}\": false");
        }
    }

    private static void Item(DiagnosticSink sink, string path, JNode node, string message, string hint) =>
        sink.Error(DiagnosticCodes.InvalidItem, path, node.Position, message, hint);

    private static string ExampleFor(FieldDefinition def) => def.Name switch
    {
        "dependsOn" => "write entries as \"module:service\", e.g. \"cluster:vm\"",
        "provides" => "write service names, e.g. \"fileservice\"",
        "ports" => "write {\"port\": 443, \"protocol\": \"TCP\", \"description\": \"HTTPS\"}",
        "ingress" => "write {\"from\": \"home\", \"ports\": [443], \"description\": \"why\"}",
        "egress" => "write {\"to\": \"internet\", \"ports\": [443], \"description\": \"why\"}",
        "natRules" => "write {\"externalPort\": 2022, \"internalPort\": 22, \"protocol\": \"TCP\"}",
        "discoveryUdpRelay" => "write {\"port\": 36549, \"zones\": [\"home\"]}",
        "proxyAllowedZones" => "list zone names or \"internet\"",
        _ => def.Summary,
    };

    // "a:b", or "a-b" as upstream's rules manager writes it (it turns ':' into '-'), so both forms are accepted.
    [GeneratedRegex("^([0-9]+)[:-]([0-9]+)$")]
    private static partial Regex PortRange();

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9_-]*$")]
    private static partial Regex AliasName();
}
