using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tappaas.Abstractions.Backups;
using Tappaas.Abstractions.Guests;
using Tappaas.Abstractions.Providers;
using Tappaas.Abstractions.Routing;
using Tappaas.Abstractions.State;
using Tappaas.Engine;
using Tappaas.Engine.Site;
using Tappaas.Hooks;
using Tappaas.Model.Site;
using Tappaas.Platform.Embedded;

namespace Tappaas.Composition;

/// <summary>
/// The one registration of a site: its layout and clock, the state store its configuration chooses, hook scripts, the
/// backends services map to (keyed by their name), the engine, and the platform-neutral contracts the daemon and CLI
/// use (guests, recovery, routes, backups). The CLI's in-process mode and the daemon register the same way.
/// </summary>
public static class SiteServices
{
    /// <summary>Registers the site at <paramref name="root"/> (a <see cref="TimeProvider"/> registered before is kept).</summary>
    public static IServiceCollection AddTappaasSite(this IServiceCollection services, string root)
    {
        var layout = new SiteLayout(Path.GetFullPath(root));
        services.AddSingleton(layout);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => StateStores.Open(layout, SiteSnapshot.Read(layout.ConfigDir), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new HookRunner(
            int.TryParse(Environment.GetEnvironmentVariable("TAPPAAS_HOOK_TIMEOUT"), out var seconds) ? TimeSpan.FromSeconds(seconds) : HookRunner.DefaultTimeout,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IModuleHooks, ModuleHookScripts>();

        services.AddSingleton<EmbeddedBackend>();
        services.AddSingleton<ProxmoxBackend>();
        services.AddSingleton<IServiceBackend, HooksBackend>();
        services.AddSingleton<IServiceBackend, FakeBackend>();
        services.AddSingleton<IServiceBackend>(sp => sp.GetRequiredService<EmbeddedBackend>());
        services.AddSingleton<IServiceBackend>(sp => sp.GetRequiredService<ProxmoxBackend>());
        services.AddSingleton<IProviderFactory, SiteProviderFactory>();
        services.AddSingleton(sp => new SiteEngine(layout, sp.GetRequiredService<IStateStore>(), sp.GetRequiredService<IProviderFactory>(),
            sp.GetRequiredService<IModuleHooks>(), sp.GetRequiredService<TimeProvider>())
        {
            ImagePinner = new Platform.Embedded.Images.EmbeddedImagePinner(sp.GetRequiredService<EmbeddedBackend>().Platform),
            BeforeResume = async ct => await sp.GetRequiredService<EmbeddedBackend>().Platform.Vm.ThawLeftFrozenAsync(ct),
        });

        // What the daemon and the CLI see of the platforms: contracts, never a platform's own types.
        services.AddSingleton(sp => sp.GetRequiredService<EmbeddedBackend>().Platform);
        services.AddSingleton<EmbeddedGuests>();
        services.AddSingleton<IGuestObserver>(sp => sp.GetRequiredService<EmbeddedGuests>());
        services.AddSingleton<IGuestRecovery>(sp => sp.GetRequiredService<EmbeddedGuests>());
        services.AddSingleton<IGuestRecovery>(sp => new Platform.Proxmox.ProxmoxRecovery(() => sp.GetRequiredService<ProxmoxBackend>().Client.Client,
            () => SiteSnapshot.Read(layout.ConfigDir)));
        services.AddSingleton<IRouteSource>(sp => new EmbeddedRoutes(sp.GetRequiredService<EmbeddedPlatform>()));
        services.AddSingleton<IBackupOperations>(sp => new Platform.Embedded.Backup.BackupService(sp.GetRequiredService<EmbeddedPlatform>(), sp.GetRequiredService<IStateStore>()));
        services.AddSingleton<SiteSession>();
        services.TryAddSingleton(ModuleArguments.HostPaths);
        services.AddSingleton<SiteApi>();
        services.AddSingleton<Client.ISiteApi>(sp => sp.GetRequiredService<SiteApi>());
        return services;
    }
}
