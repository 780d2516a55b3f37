using System.Globalization;
using System.Text.RegularExpressions;

namespace Tappaas.Model.Resolved;

/// <summary>The durations of the workload block: <c>500ms</c>, <c>2s</c>, <c>1.5m</c>, <c>1h</c>.</summary>
public static partial class Durations
{
    /// <summary>The pattern validation checks (and the schema publishes).</summary>
    public const string Pattern = "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$";

    /// <summary>Parses a duration; <paramref name="fallback"/> when there is none (validation reports a malformed one).</summary>
    public static TimeSpan Parse(string? text, TimeSpan fallback)
    {
        if (text is null || Text().Match(text) is not { Success: true } m)
        {
            return fallback;
        }

        var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[3].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => TimeSpan.FromSeconds(n),
        };
    }

    /// <summary>Whether <paramref name="text"/> is a duration.</summary>
    public static bool IsValid(string text) => Text().IsMatch(text);

    [GeneratedRegex("^([0-9]+(\\.[0-9]+)?)(ms|s|m|h)$")]
    private static partial Regex Text();
}
