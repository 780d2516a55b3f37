using Tappaas.Abstractions.Providers;
using Tappaas.Hooks;
using Tappaas.Model.Modules;
using Tappaas.Model.Site;
using Tappaas.Providers.Fake;

namespace Tappaas.Cli.Site;

/// <summary>Resolves a service to the backend the site configuration names for it (<c>tappaas.backends</c>), defaulting to the providing module's hook scripts.</summary>
internal sealed class SiteProviderFactory(SiteConfiguration? site, string siteFolder, HookRunner runner, TimeProvider time) : IProviderFactory
{
    private readonly FakeProvider _fake = new(siteFolder, time);

    public IResourceProvider Resolve(ServiceRef service, string providerFolder) =>
        (site?.BackendFor(service.Module, service.Service) ?? "hooks") switch
        {
            "fake" => _fake,
            _ => new HookScriptProvider(providerFolder, runner),
        };
}
