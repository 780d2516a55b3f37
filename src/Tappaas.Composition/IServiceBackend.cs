using Tappaas.Abstractions.Providers;
using Tappaas.Model.Modules;

namespace Tappaas.Composition;

/// <summary>A backend a site can map services to (<c>tappaas.backends</c>): hooks, fake, proxmox, embedded.</summary>
public interface IServiceBackend
{
    /// <summary>The name configuration.json uses for it.</summary>
    string Name { get; }

    /// <summary>Its provider of <paramref name="service"/> (whose providing module lives in <paramref name="providerFolder"/>).</summary>
    IResourceProvider For(ServiceRef service, string providerFolder);
}
