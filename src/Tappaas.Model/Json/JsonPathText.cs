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

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}
