using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Tappaas.Model.Modules;

/// <summary>A service address in the module file's own form, <c>module:service</c> (e.g. <c>cluster:vm</c>).</summary>
/// <param name="Module">The providing module's name.</param>
/// <param name="Service">The service name.</param>
public readonly partial record struct ServiceRef(string Module, string Service)
{
    /// <summary>The upstream pattern for a dependsOn entry.</summary>
    public const string Pattern = "^[a-zA-Z][a-zA-Z0-9-]*:[a-zA-Z][a-zA-Z0-9-]*$";

    /// <summary>Parses <c>module:service</c>; false when the text does not match <see cref="Pattern"/>.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ServiceRef? value)
    {
        value = null;
        if (text is null || !Regex().IsMatch(text))
        {
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        value = new ServiceRef(text[..colon], text[(colon + 1)..]);
        return true;
    }

    /// <summary>Parses a reference known to be valid (used for built-in tables).</summary>
    public static ServiceRef Parse(string text) =>
        TryParse(text, out var value) ? value.Value : throw new FormatException($"'{text}' is not a module:service reference");

    /// <inheritdoc />
    public override string ToString() => $"{Module}:{Service}";

    [GeneratedRegex(Pattern)]
    private static partial Regex Regex();
}
