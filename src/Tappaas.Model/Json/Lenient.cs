using System.Globalization;
using System.Text.RegularExpressions;

namespace Tappaas.Model.Json;

/// <summary>Reads scalar values the way upstream's shell tools do: numbers written as strings count as numbers.</summary>
public static partial class Lenient
{
    /// <summary>The value as a whole number: a JSON integer or a string holding one.</summary>
    public static long? Integer(JNode? node) =>
        node is JNumber or JString && node.ScalarText is { } t && IntegerText().IsMatch(t)
            && long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>The value as text (strings, numbers, booleans).</summary>
    public static string? Text(JNode? node) => node?.ScalarText;

    /// <summary>The value as a boolean: a JSON boolean or the text "true"/"false".</summary>
    public static bool? Boolean(JNode? node) => node?.ScalarText switch
    {
        "true" => true,
        "false" => false,
        _ => null,
    };

    /// <summary>The string items of an array (non-strings are skipped).</summary>
    public static IReadOnlyList<string> Strings(JNode? node) =>
        node is JArray a ? [.. a.Items.OfType<JString>().Select(s => s.Value)] : [];

    [GeneratedRegex("^-?[0-9]+$")]
    private static partial Regex IntegerText();
}
