using Tappaas.Model.Modules;

namespace Tappaas.Abstractions.Providers;

/// <summary>Finds the provider that implements a service: a built-in backend named by the site, or the providing module's hook scripts.</summary>
public interface IProviderFactory
{
    /// <summary>The provider for <paramref name="service"/>, whose providing module lives in <paramref name="providerFolder"/>.</summary>
    IResourceProvider Resolve(ServiceRef service, string providerFolder);
}
