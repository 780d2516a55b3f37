using Tappaas.Abstractions.Secrets;
using Tappaas.Engine.Site;
using Tappaas.Platform.Embedded;

namespace Tappaas.Composition;

/// <summary>
/// What the CLI does to a site folder on this host that is no call of the site's API: create it, name its files, stop
/// its guests and remove it. The API needs a site to exist; these make and unmake one.
/// </summary>
public static class SiteHost
{
    /// <summary>The state of a site just created (or found).</summary>
    /// <param name="Root">The site folder.</param>
    /// <param name="Written">The files written (none when the site existed).</param>
    /// <param name="State">Where the state store is (a file, or the PostgreSQL database named in the configuration).</param>
    /// <param name="Schema">The store's schema version after migration.</param>
    public sealed record Created(string Root, IReadOnlyList<string> Written, string State, int Schema);

    /// <summary>True when a site exists at <paramref name="root"/> (its configuration.json).</summary>
    public static bool Exists(string root) => File.Exists(new SiteLayout(root).ConfigurationFile);

    /// <summary>The site's log folder (the daemon's log goes there).</summary>
    public static string LogsDir(string root) => new SiteLayout(root).LogsDir;

    /// <summary>The names of the modules installed in the site (their <c>config/&lt;name&gt;.json</c>), for shell completion.</summary>
    public static IEnumerable<string> InstalledNames(string root)
    {
        var config = new SiteLayout(root).ConfigDir;
        return Directory.Exists(config)
            ? Directory.GetFiles(config, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Where(n => n is not "configuration" and not "zones").Order(StringComparer.Ordinal)
            : [];
    }

    /// <summary>Writes the site's files that do not exist yet (configuration.json, zones.json in upstream's shapes) and migrates its state store.</summary>
    public static async Task<(Created? Site, string? Problem)> CreateAsync(string root, string domain, IReadOnlyDictionary<string, string> backends, IReadOnlyList<string> repositories,
        CancellationToken cancellationToken)
    {
        var layout = new SiteLayout(Path.GetFullPath(root));
        var written = SiteInitializer.Initialize(layout, domain, backends, repositories);
        var (session, problem) = await SiteSession.OpenAsync(layout.Root, cancellationToken);
        if (session is null)
        {
            return (null, problem);
        }

        await using (session)
        {
            var state = StateStores.Describe(layout, Model.Site.SiteSnapshot.Read(layout.ConfigDir));
            return (new Created(layout.Root, written, state, await session.Store.SchemaVersionAsync(cancellationToken)), null);
        }
    }

    /// <summary>Stops every guest of the site (with <paramref name="purge"/>: removes them, the zone networks, the firewall table, DNS and the site folder).</summary>
    public static Task StopAsync(string root, bool purge, Action<string> say, TimeProvider time, CancellationToken cancellationToken) =>
        new EmbeddedPlatform(root, EmbeddedPlatform.CanIsolate, time).StopAllAsync(purge, say, cancellationToken);

    /// <summary>The names of the site's secrets (never their values); the store is files, so this needs no state store.</summary>
    public static IReadOnlyList<string> SecretNames(string root) => [.. new SiteSecrets(root).Names()];

    /// <summary>What is wrong with a secret's name, or null when it is a valid one.</summary>
    public static string? SecretNameProblem(string name) =>
        SiteSecrets.IsValidName(name) ? null
        : SiteSecrets.Reserved.Contains(name) ? $"NAME \"{name}\" is the daemon's own file, not a secret: choose another name"
        : $"NAME \"{name}\" is not a valid secret name: use letters, digits, '_', '.', '-', starting with a letter";

    /// <summary>Stores a secret, or says what is wrong with its name or value.</summary>
    public static string? SetSecret(string root, string name, string value)
    {
        if (SecretNameProblem(name) is { } invalid)
        {
            return invalid;
        }

        if (value.Length == 0)
        {
            return $"the value of {name} is empty";
        }

        new SiteSecrets(root).Set(name, value);
        return null;
    }

    /// <summary>Removes a secret, or says there is none of that name.</summary>
    public static string? RemoveSecret(string root, string name) =>
        new SiteSecrets(root).Remove(name) ? null : $"the site has no secret \"{name}\" (tappaas secret list shows the names)";
}
