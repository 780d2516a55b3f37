using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Site;
using Tappaas.Model.Modules;
using Tappaas.Model.Site;

namespace Tappaas.Composition;

/// <summary>Resolves a service to the backend the site configuration names for it (<c>tappaas.backends</c>), defaulting to the providing module's hook scripts.</summary>
public sealed class SiteProviderFactory(SiteLayout layout, IEnumerable<IServiceBackend> backends) : IProviderFactory
{
    private readonly Dictionary<string, IServiceBackend> _backends = backends.ToDictionary(b => b.Name, StringComparer.Ordinal);

    public IResourceProvider Resolve(ServiceRef service, string providerFolder)
    {
        var name = SiteSnapshot.Read(layout.ConfigDir).BackendFor(service.Module, service.Service);
        return (_backends.GetValueOrDefault(name) ?? _backends["hooks"]).For(service, providerFolder);
    }
}
