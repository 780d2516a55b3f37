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

    /// <summary>What a failure of the site's store means and what to do (a full disk, a damaged store), or null for any other failure.</summary>
    public static string? Failure(Exception failure, SiteLayout layout) =>
        StoreFailures.Describe(failure, layout.Root, Describe(layout, SiteSnapshot.Read(layout.ConfigDir)));

    /// <summary>
    /// Migrates the store and runs its integrity check: null when it is sound, else what is wrong and what to do (a
    /// damaged store is never written to: the check runs before the migration).
    /// </summary>
    public static async Task<string?> CheckAsync(IStateStore store, SiteLayout layout, CancellationToken cancellationToken)
    {
        try
        {
            if (File.Exists(layout.StatePath) && await store.IntegrityProblemAsync(cancellationToken) is { } damage)
            {
                return StoreFailures.Damaged(Describe(layout, SiteSnapshot.Read(layout.ConfigDir)), damage);
            }

            await store.MigrateAsync(cancellationToken);
            return null;
        }
        catch (Exception ex) when (Failure(ex, layout) is { } words)
        {
            return words;
        }
    }

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
