using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Site;
using Tappaas.Hooks;
using Tappaas.Model.Modules;
using Tappaas.Platform.Embedded;
using Tappaas.Platform.Proxmox;
using Tappaas.Platform.Proxmox.Api;
using Tappaas.Platform.Proxmox.Backup;
using Tappaas.Platform.Proxmox.Guests;
using Tappaas.Platform.Proxmox.Ha;
using Tappaas.Providers.Fake;

namespace Tappaas.Composition;

/// <summary>Services implemented by the providing module's own hook scripts (upstream's contract; the default).</summary>
internal sealed class HooksBackend(HookRunner runner) : IServiceBackend
{
    public string Name => "hooks";

    public IResourceProvider For(ServiceRef service, string providerFolder) => new HookScriptProvider(providerFolder, runner);
}

/// <summary>The scripted fake (tests, demos).</summary>
internal sealed class FakeBackend(SiteLayout layout, TimeProvider time) : IServiceBackend
{
    private readonly FakeProvider _fake = new(layout.Root, time);

    public string Name => "fake";

    public IResourceProvider For(ServiceRef service, string providerFolder) => _fake;
}

/// <summary>The embedded platform of this host (created on first use).</summary>
public sealed class EmbeddedBackend(SiteLayout layout, TimeProvider time) : IServiceBackend
{
    private readonly Lazy<EmbeddedPlatform> _platform = new(() =>
        new EmbeddedPlatform(layout.Root, EmbeddedPlatform.CanIsolate, time, name => ModuleLocator.FolderOf(name, layout)));

    public string Name => "embedded";

    /// <summary>The platform.</summary>
    public EmbeddedPlatform Platform => _platform.Value;

    public IResourceProvider For(ServiceRef service, string providerFolder) => Platform.For(service)
        ?? new UnavailableProvider($"the embedded platform implements cluster:vm, firewall:rules, firewall:dns, firewall:proxy and backup:vm so far, not {service}; map {service} to another backend in tappaas.backends");
}

/// <summary>Proxmox VE through its API (the client made on first use, from the site's tappaas.proxmox and its token).</summary>
public sealed class ProxmoxBackend(SiteLayout layout, TimeProvider time) : IServiceBackend, IDisposable
{
    private readonly Lazy<(PveClient? Client, string? Error)> _pve = new(() =>
    {
        var (options, error) = ProxmoxConnection.Load(layout.Root);
        return options is null ? (null, error) : (new PveClient(options, time), null);
    });

    public string Name => "proxmox";

    /// <summary>The Proxmox client of the site, or the reason there is none.</summary>
    public (PveClient? Client, string? Error) Client => _pve.Value;

    public IResourceProvider For(ServiceRef service, string providerFolder)
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
}

/// <summary>A provider that explains why the configured backend cannot be used.</summary>
internal sealed class UnavailableProvider(string reason) : IResourceProvider
{
    public ProviderInfo Info => new("unavailable", ProviderCapabilities.None);

    public ValueTask<ReadResponse> ReadAsync(ProviderRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(new ReadResponse(false, request.ObjectName, reason));

    public ValueTask<OperationResult> InstallAsync(ProviderRequest request, CancellationToken cancellationToken) => Fail();

    public ValueTask<OperationResult> UpdateAsync(ProviderRequest request, CancellationToken cancellationToken) => Fail();

    public ValueTask<OperationResult> DeleteAsync(ProviderRequest request, CancellationToken cancellationToken) => Fail();

    public ValueTask<OperationResult> TestAsync(ProviderRequest request, CancellationToken cancellationToken) => Fail();

    private ValueTask<OperationResult> Fail() => ValueTask.FromResult(OperationResult.Fail(OperationStatus.Fatal, reason));
}
