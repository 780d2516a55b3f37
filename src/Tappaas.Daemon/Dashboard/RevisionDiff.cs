using System.Text.Json;
using System.Text.Json.Nodes;
using DiffPlex;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace Tappaas.Daemon.Dashboard;

/// <summary>A line of a diff: unchanged (' '), removed ('-') or added ('+').</summary>
internal readonly record struct DiffLine(char Kind, string Text);

/// <summary>Two revisions' definitions as indented JSON, compared line by line (DiffPlex).</summary>
internal static class RevisionDiff
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public static IReadOnlyList<DiffLine> Lines(JsonNode? from, JsonNode? to)
    {
        var model = new InlineDiffBuilder(new Differ()).BuildDiffModel(Text(from), Text(to), ignoreWhitespace: false);
        return [.. model.Lines.Select(l => new DiffLine(l.Type switch { ChangeType.Inserted => '+', ChangeType.Deleted => '-', _ => ' ' }, l.Text))];
    }

    private static string Text(JsonNode? node) => node?.ToJsonString(s_indented) ?? "";
}
