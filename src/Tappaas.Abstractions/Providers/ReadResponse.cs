namespace Tappaas.Abstractions.Providers;

/// <summary>What a provider observed for a consumer.</summary>
/// <param name="Exists">True when the service's object for the consumer exists.</param>
/// <param name="ObjectName">The external object's deterministic name.</param>
/// <param name="Detail">Free-form observed state (for status output).</param>
public sealed record ReadResponse(bool Exists, string ObjectName, string Detail = "");
