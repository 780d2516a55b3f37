using System.Text.RegularExpressions;

namespace Tappaas.Model.Json;

/// <summary>Builds the JSONPath-like addresses used in diagnostics: <c>$.a.b[0]</c>, <c>$.config["cluster:vm"].cores</c>.</summary>
public static partial class JsonPathText
{
    /// <summary>The path of a member of the object at <paramref name="parent"/>.</summary>
    public static string Member(string parent, string name) =>
        Identifier().IsMatch(name) ? $"{parent}.{name}" : $"{parent}[\"{name.Replace("\"", "\\\"", StringComparison.Ordinal)}\"]";

    /// <summary>The path of an element of the array at <paramref name="parent"/>.</summary>
    public static string Index(string parent, int index) => $"{parent}[{index}]";

    /// <summary>
    /// The steps of a path these methods built: member names (<see cref="string"/>) and array indexes (<see cref="int"/>);
    /// empty for <c>$</c>, null for text that is not such a path.
    /// </summary>
    public static IReadOnlyList<object>? Parse(string path)
    {
        if (!path.StartsWith('$'))
        {
            return null;
        }

        var steps = new List<object>();
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = i + 1;
                while (end < path.Length && path[end] is not ('.' or '['))
                {
                    end++;
                }

                steps.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("[\"", StringComparison.Ordinal))
            {
                var name = new System.Text.StringBuilder();
                var j = i + 2;
                for (; j < path.Length && path[j] != '"'; j++)
                {
                    if (path[j] == '\\' && j + 1 < path.Length)
                    {
                        j++;
                    }

                    name.Append(path[j]);
                }

                if (j + 1 >= path.Length || path[j + 1] != ']')
                {
                    return null;
                }

                steps.Add(name.ToString());
                i = j + 2;
            }
            else if (path[i] == '[' && path.IndexOf(']', i) is var close and > 0
                && int.TryParse(path.AsSpan(i + 1, close - i - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
            {
                steps.Add(index);
                i = close + 1;
            }
            else
            {
                return null;
            }
        }

        return steps;
    }

    /// <summary>The node at <paramref name="path"/> under <paramref name="root"/>, or null when there is none.</summary>
    public static JNode? Find(JNode root, string path)
    {
        if (Parse(path) is not { } steps)
        {
            return null;
        }

        var node = root;
        foreach (var step in steps)
        {
            node = (step, node) switch
            {
                (string name, JObject o) => o[name],
                (int index, JArray a) when index < a.Items.Count => a.Items[index],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}
