using System.Text.RegularExpressions;
using Tappaas.Model.Modules;

namespace Tappaas.Abstractions.Providers;

/// <summary>Deterministic names for external objects, derived from module and service, so every apply can read before it creates.</summary>
public static partial class ExternalNames
{
    /// <summary>The name of the object <paramref name="service"/> creates for <paramref name="consumer"/>: <c>tappaas-&lt;consumer&gt;--&lt;provider&gt;-&lt;service&gt;</c>.</summary>
    public static string For(string consumer, ServiceRef service) => Clean($"tappaas-{consumer}--{service.Module}-{service.Service}");

    private static string Clean(string name) => Unsafe().Replace(name.ToLowerInvariant(), "-");

    [GeneratedRegex("[^a-z0-9-]")]
    private static partial Regex Unsafe();
}
