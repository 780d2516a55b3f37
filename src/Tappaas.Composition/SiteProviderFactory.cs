using Tappaas.Abstractions.Providers;
using Tappaas.Hooks;
using Tappaas.Model.Modules;
using Tappaas.Model.Site;
using Tappaas.Platform.Embedded;
using Tappaas.Platform.Proxmox;
using Tappaas.Platform.Proxmox.Api;
using Tappaas.Platform.Proxmox.Backup;
using Tappaas.Platform.Proxmox.Guests;
using Tappaas.Platform.Proxmox.Ha;
using Tappaas.Providers.Fake;

namespace Tappaas.Composition;

/// <summary>Resolves a service to the backend the site configuration names for it (<c>tappaas.backends</c>), defaulting to the providing module's hook scripts.</summary>
public sealed class SiteProviderFactory(SiteConfiguration? site, string siteFolder, HookRunner runner, TimeProvider time) : IProviderFactory, IDisposable
{
    private readonly FakeProvider _fake = new(siteFolder, time);
    private readonly Lazy<(PveClient? Client, string? Error)> _pve = new(() =>
    {
        var (options, error) = ProxmoxConnection.Load(siteFolder);
        return options is null ? (null, error) : (new PveClient(options, time), null);
    });

    private readonly Lazy<EmbeddedPlatform> _embedded = new(() =>
        new EmbeddedPlatform(siteFolder, EmbeddedPlatform.CanIsolate, name => ModuleLocator.FolderOf(name, new Engine.Site.SiteLayout(siteFolder))));

    /// <summary>The site's embedded platform (created on first use).</summary>
    public EmbeddedPlatform Embedded => _embedded.Value;

    public IResourceProvider Resolve(ServiceRef service, string providerFolder) =>
        (site?.BackendFor(service.Module, service.Service) ?? "hooks") switch
        {
            "fake" => _fake,
            "proxmox" => Proxmox(service),
            "embedded" => _embedded.Value.For(service)
                ?? new UnavailableProvider($"the embedded platform implements cluster:vm, firewall:rules, firewall:dns, firewall:proxy and backup:vm so far, not {service}; map {service} to another backend in tappaas.backends"),
            _ => new HookScriptProvider(providerFolder, runner),
        };

    /// <summary>The Proxmox client of the site, or the reason there is none.</summary>
    public (PveClient? Client, string? Error) ProxmoxClient => _pve.Value;

    private IResourceProvider Proxmox(ServiceRef service)
    {
        if (_pve.Value.Client is not { } client)
        {
            return new UnavailableProvider($"{service} is configured for Proxmox VE, but {_pve.Value.Error}");
        }

        return service.ToString() switch
        {
            "cluster:vm" => new ProxmoxVmProvider(client, time),
            "cluster:lxc" => new ProxmoxLxcProvider(client),
            "cluster:ha" => new ProxmoxHaProvider(client),
            "backup:vm" => new ProxmoxBackupProvider(client),
            _ => new UnavailableProvider($"Proxmox VE implements cluster:vm, cluster:lxc, cluster:ha and backup:vm, not {service}; map {service} to another backend in tappaas.backends"),
        };
    }

    public void Dispose()
    {
        if (_pve.IsValueCreated)
        {
            _pve.Value.Client?.Dispose();
        }
    }

    /// <summary>A provider that explains why the configured backend cannot be used.</summary>
    private sealed class UnavailableProvider(string reason) : IResourceProvider
    {
        public ProviderInfo Info => new("unavailable", ProviderCapabilities.None);

        public ValueTask<ReadResponse> ReadAsync(ProviderRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(new ReadResponse(false, request.ObjectName, reason));

        public ValueTask<OperationResult> InstallAsync(ProviderRequest request, CancellationToken cancellationToken) => Fail();

        public ValueTask<OperationResult> UpdateAsync(ProviderRequest request, CancellationToken cancellationToken) => Fail();

        public ValueTask<OperationResult> DeleteAsync(ProviderRequest request, CancellationToken cancellationToken) => Fail();

        public ValueTask<OperationResult> TestAsync(ProviderRequest request, CancellationToken cancellationToken) => Fail();

        private ValueTask<OperationResult> Fail() => ValueTask.FromResult(OperationResult.Fail(OperationStatus.Fatal, reason));
    }
}
