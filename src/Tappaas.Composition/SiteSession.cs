using Tappaas.Engine;
using Tappaas.Engine.Site;
using Tappaas.Model.Loading;
using Tappaas.Hooks;
using Tappaas.State;

namespace Tappaas.Composition;

/// <summary>The composition root for in-process commands: a site folder's store, providers, hooks and engine.</summary>
public sealed class SiteSession : IAsyncDisposable
{
    private SiteSession(SiteEngine engine, SqliteStateStore store, SiteProviderFactory providers)
    {
        Engine = engine;
        Store = store;
        Providers = providers;
    }

    public SiteProviderFactory Providers { get; }

    public SiteEngine Engine { get; }

    public SqliteStateStore Store { get; }

    public SiteLayout Layout => Engine.Layout;

    /// <summary>Opens an initialised site, or returns an error message saying how to create one.</summary>
    public static async Task<(SiteSession? Session, string? Error)> OpenAsync(string root, CancellationToken cancellationToken)
    {
        var layout = new SiteLayout(Path.GetFullPath(root));
        if (!File.Exists(layout.ConfigurationFile))
        {
            return (null, $"no site at {layout.Root} (no config/configuration.json); create one with 'tappaas init --site {root}'");
        }

        var store = new SqliteStateStore(layout.StatePath, TimeProvider.System);
        await store.MigrateAsync(cancellationToken);
        var timeout = int.TryParse(Environment.GetEnvironmentVariable("TAPPAAS_HOOK_TIMEOUT"), out var seconds) ? TimeSpan.FromSeconds(seconds) : HookRunner.DefaultTimeout;
        var runner = new HookRunner(timeout);
        var (site, _, _) = SiteFiles.Read(layout.ConfigDir);
        var providers = new SiteProviderFactory(site, layout.Root, runner, TimeProvider.System);
        var engine = new SiteEngine(layout, store, providers, new ModuleHookScripts(runner), TimeProvider.System);
        return (new SiteSession(engine, store, providers), null);
    }

    /// <summary>The site folder from --site, else TAPPAAS_SITE, else the user's data folder.</summary>
    public static string Resolve(string? option) => option ?? SiteLayout.DefaultRoot();

    public ValueTask DisposeAsync()
    {
        Providers.Dispose();
        return Store.DisposeAsync();
    }
}
