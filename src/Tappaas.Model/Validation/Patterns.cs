using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Tappaas.Model.Validation;

/// <summary>Caches the regular expressions of the field table.</summary>
internal static class Patterns
{
    private static readonly ConcurrentDictionary<string, Regex> s_cache = new(StringComparer.Ordinal);

    public static bool IsMatch(string pattern, string text) =>
        s_cache.GetOrAdd(pattern, p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))).IsMatch(text);
}
