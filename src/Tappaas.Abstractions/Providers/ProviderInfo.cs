namespace Tappaas.Abstractions.Providers;

/// <summary>What a provider is and can do.</summary>
/// <param name="Name">Registration name, e.g. <c>fake</c> or <c>hooks</c>.</param>
/// <param name="Capabilities">Optional abilities.</param>
public sealed record ProviderInfo(string Name, ProviderCapabilities Capabilities);
