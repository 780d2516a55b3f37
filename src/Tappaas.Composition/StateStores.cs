using Tappaas.Abstractions.Secrets;
using Tappaas.Abstractions.State;
using Tappaas.Engine.Site;
using Tappaas.Model.Site;
using Tappaas.State;

namespace Tappaas.Composition;

/// <summary>
/// The site's state store, as its configuration.json chooses it (<c>tappaas.state</c>): SQLite in <c>state.db</c> by
/// default, or PostgreSQL with the connection string from a site secret, so a site can keep its state on a server.
/// </summary>
public static class StateStores
{
    /// <summary>The store (not yet migrated); throws with <see cref="Problem"/>'s words when it cannot be opened.</summary>
    public static IStateStore Open(SiteLayout layout, SiteSnapshot site, TimeProvider time)
    {
        var settings = site.Configuration?.State ?? new StateSettings();
        if (settings.Store != "postgresql")
        {
            return new SqliteStateStore(layout.StatePath, time);
        }

        return ConnectionString(layout, settings) is { } connection
            ? new PostgresStateStore(connection, time)
            : throw new InvalidOperationException(Problem(layout, site));
    }

    /// <summary>Where the site keeps its state, in words (the SQLite file, or PostgreSQL and the secret naming the server).</summary>
    public static string Describe(SiteLayout layout, SiteSnapshot site) =>
        (site.Configuration?.State ?? new StateSettings()) is { Store: "postgresql" } s ? $"PostgreSQL (connection string in the site secret \"{s.ConnectionSecret}\")" : layout.StatePath;

    /// <summary>Why the site's state store cannot be opened (what to set), or null when it can.</summary>
    public static string? Problem(SiteLayout layout, SiteSnapshot site)
    {
        var settings = site.Configuration?.State ?? new StateSettings();
        return settings.Store != "postgresql" || ConnectionString(layout, settings) is not null ? null
            : $"the site keeps its state in PostgreSQL (tappaas.state in {layout.ConfigurationFile}), but the site secret \"{settings.ConnectionSecret}\" is not set; " +
                $"set it with: printf %s \"Host=…;Username=…;Password=…;Database=…\" | tappaas secret set {settings.ConnectionSecret}";
    }

    private static string? ConnectionString(SiteLayout layout, StateSettings settings) =>
        settings.ConnectionSecret is { } name && new SiteSecrets(layout.Root).Get(name) is { Length: > 0 } value ? value : null;
}
