using Microsoft.Extensions.DependencyInjection;
using Tappaas.Abstractions.Backups;
using Tappaas.Abstractions.Guests;
using Tappaas.Abstractions.Routing;
using Tappaas.Abstractions.State;
using Tappaas.Engine;
using Tappaas.Engine.Site;
using Tappaas.Model.Modules;
using Tappaas.Model.Resolved;
using Tappaas.Model.Site;
using Tappaas.Platform.Proxmox.Api;

namespace Tappaas.Composition;

/// <summary>
/// A site as its commands use it: the engine, the state store and the platform-neutral contracts (guests, recovery,
/// routes, backups), all from the one registration in <see cref="SiteServices"/>. The CLI opens one in-process; the
/// daemon gets the one its own container holds.
/// </summary>
public sealed class SiteSession(IServiceProvider services) : IAsyncDisposable
{
    private ServiceProvider? _owned;

    public IServiceProvider Services { get; } = services;

    public SiteEngine Engine => Services.GetRequiredService<SiteEngine>();

    public IStateStore Store => Services.GetRequiredService<IStateStore>();

    public SiteLayout Layout => Services.GetRequiredService<SiteLayout>();

    /// <summary>What a failure of the site's state store means and what to do (a full disk, a damaged store), or null for any other failure.</summary>
    public string? StoreFailure(Exception failure) => StateStores.Failure(failure, Layout);

    public TimeProvider Time => Services.GetRequiredService<TimeProvider>();

    /// <summary>Every platform's view of its guests.</summary>
    public IReadOnlyList<IGuestObserver> GuestObservers => [.. Services.GetServices<IGuestObserver>()];

    /// <summary>Every platform's recovery of guests that should run and do not.</summary>
    public IReadOnlyList<IGuestRecovery> Recovery => [.. Services.GetServices<IGuestRecovery>()];

    /// <summary>The routes of the site's reverse proxy (its watchers start on first use).</summary>
    public IRouteSource Routes => Services.GetRequiredService<IRouteSource>();

    /// <summary>Backups of modules' data.</summary>
    public IBackupOperations Backups => Services.GetRequiredService<IBackupOperations>();

    /// <summary>The site's Proxmox VE client, or why there is none.</summary>
    public (PveClient? Client, string? Error) Proxmox => Services.GetRequiredService<ProxmoxBackend>().Client;

    /// <summary>The installed modules, resolved against the site as it is now (the recorded revisions, not the config folder).</summary>
    public async Task<IReadOnlyList<ResolvedModule>> InstalledAsync(CancellationToken cancellationToken)
    {
        var snapshot = SiteSnapshot.Read(Layout.ConfigDir);
        return [.. (await Store.ListModulesAsync(cancellationToken)).Where(m => m.Status == "installed")
            .Select(m => ModuleResolver.Resolve(ModuleDefinition.FromJson(m.Name, m.Definition), snapshot))];
    }

    /// <summary>Every guest of the site, on every platform, now (with <paramref name="withUsage"/>, each one's memory and CPU).</summary>
    public IReadOnlyList<GuestSnapshot> Guests(bool withUsage = false) => [.. GuestObservers.SelectMany(o => o.Observe(withUsage))];

    /// <summary>Opens an initialised site in-process (its state store migrated), or says how to create one.</summary>
    public static async Task<(SiteSession? Session, string? Error)> OpenAsync(string root, CancellationToken cancellationToken)
    {
        var layout = new SiteLayout(Path.GetFullPath(root));
        if (!File.Exists(layout.ConfigurationFile))
        {
            return (null, $"no site at {layout.Root} (no config/configuration.json); create one with 'tappaas init --site {root}'");
        }

        if (StateStores.Problem(layout, Model.Site.SiteSnapshot.Read(layout.ConfigDir)) is { } storeError)
        {
            return (null, storeError);
        }

        var provider = new ServiceCollection().AddTappaasSite(layout.Root).BuildServiceProvider();
        var session = provider.GetRequiredService<SiteSession>();
        session._owned = provider;
        if (await StateStores.CheckAsync(session.Store, layout, cancellationToken) is { } unusable)
        {
            await session.DisposeAsync();
            return (null, unusable);
        }

        return (session, null);
    }

    /// <summary>The site folder from --site, else TAPPAAS_SITE, else the user's data folder.</summary>
    public static string Resolve(string? option) => option ?? SiteLayout.DefaultRoot();

    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync();
        }
    }
}
