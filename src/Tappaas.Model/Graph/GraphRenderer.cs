using System.Text;
using System.Text.Json.Nodes;
using Tappaas.Model.Json;

namespace Tappaas.Model.Graph;

/// <summary>Renders a <see cref="DependencyGraph"/> as text, JSON, Graphviz dot or Mermaid.</summary>
public static class GraphRenderer
{
    /// <summary>Renders the graph; edges point from consumer to provider, labelled with the service.</summary>
    public static string Render(DependencyGraph graph, GraphFormat format) => format switch
    {
        GraphFormat.Json => Json(graph),
        GraphFormat.Dot => Dot(graph),
        GraphFormat.Mermaid => Mermaid(graph),
        _ => Text(graph),
    };

    private static string Text(DependencyGraph graph)
    {
        var sb = new StringBuilder();
        foreach (var m in graph.Modules)
        {
            var deps = graph.DependenciesOf(m);
            sb.Append(m).Append('\n');
            foreach (var e in deps)
            {
                sb.Append("  -> ").Append(e.Service).Append(e.IsSelf ? " (itself)" : "").Append('\n');
            }
        }

        foreach (var p in graph.InstalledProviders)
        {
            sb.Append(p).Append(" (installed)\n");
        }

        return sb.ToString();
    }

    private static string Json(DependencyGraph graph)
    {
        var doc = new JsonObject
        {
            ["modules"] = Strings(graph.Modules),
            ["installed"] = Strings(graph.InstalledProviders),
            ["edges"] = new JsonArray([.. graph.Edges.Select(e => (JsonNode)new JsonObject
            {
                ["consumer"] = e.Consumer, ["service"] = e.Service.ToString(), ["provider"] = e.Provider,
            })]),
            ["order"] = Strings(graph.InstallOrder()),
            ["cycles"] = new JsonArray([.. graph.Cycles.Select(c => (JsonNode)Strings(c))]),
        };
        return doc.ToJsonString(JsonOptions.Indented) + "\n";
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);

    private static string Dot(DependencyGraph graph)
    {
        var sb = new StringBuilder("digraph tappaas {\n  rankdir=LR;\n  node [shape=box];\n");
        foreach (var m in graph.Modules)
        {
            sb.Append("  \"").Append(m).Append("\";\n");
        }

        foreach (var p in graph.InstalledProviders)
        {
            sb.Append("  \"").Append(p).Append("\" [style=dashed];\n");
        }

        foreach (var e in graph.Edges)
        {
            sb.Append("  \"").Append(e.Consumer).Append("\" -> \"").Append(e.Provider).Append("\" [label=\"").Append(e.Service.Service).Append("\"];\n");
        }

        return sb.Append("}\n").ToString();
    }

    private static string Mermaid(DependencyGraph graph)
    {
        var ids = graph.Modules.Concat(graph.InstalledProviders).Select((m, i) => (m, i)).ToDictionary(t => t.m, t => $"m{t.i}", StringComparer.Ordinal);
        var sb = new StringBuilder("flowchart LR\n");
        foreach (var (name, id) in ids)
        {
            sb.Append("  ").Append(id).Append("[\"").Append(name).Append("\"]\n");
        }

        foreach (var e in graph.Edges)
        {
            sb.Append("  ").Append(ids[e.Consumer]).Append(" -->|").Append(e.Service.Service).Append("| ").Append(ids[e.Provider]).Append('\n');
        }

        return sb.ToString();
    }
}
