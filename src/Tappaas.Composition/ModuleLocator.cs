using Tappaas.Engine;
using Tappaas.Engine.Site;
using Tappaas.Model.Json;
using Tappaas.Model.Loading;
using Tappaas.Model.Modules;

namespace Tappaas.Composition;

/// <summary>Finds a module release from what the operator typed: a module file, its folder, or a name found in the site's repositories.</summary>
public static class ModuleLocator
{
    /// <remarks>
    /// A bare name of a module installed in the site means its release, found as update finds it: in the module's
    /// recorded location, variant-aware (<c>cons-dev</c> with <c>variant</c> dev is released as <c>cons.json</c>), and
    /// the source keeps the installed name.
    /// </remarks>
    public static (ModuleSource? Source, string? Error) Find(string argument, SiteEngine engine)
    {
        if (InstalledRelease(argument, engine) is { } installed)
        {
            return installed;
        }

        var file = argument.EndsWith(".json", StringComparison.Ordinal) && File.Exists(argument) ? argument
            : Directory.Exists(argument) ? Path.Combine(argument, Path.GetFileName(Path.GetFullPath(argument).TrimEnd('/')) + ".json")
            : SearchRepositories(argument, engine);
        if (file is null || !File.Exists(file))
        {
            return (null, Directory.Exists(argument)
                ? $"folder {argument} has no {Path.GetFileName(Path.GetFullPath(argument).TrimEnd('/'))}.json"
                : NotFound(argument, engine));
        }

        return Read(file, WorkspaceLoader.ModuleName(file));
    }

    /// <summary>
    /// A module by name only, as the API takes it: the installed module's release, else the site's repositories. The
    /// name must have passed <see cref="ModuleNames.Problem"/>; it never names a file or folder of the host.
    /// </summary>
    public static (ModuleSource? Source, string? Error) FindByName(string name, SiteEngine engine)
    {
        if (InstalledRelease(name, engine) is { } installed)
        {
            return installed;
        }

        return SearchRepositories(name, engine) is { } file && File.Exists(file)
            ? Read(file, name)
            : (null, NotFound(name, engine));
    }

    private static string NotFound(string name, SiteEngine engine) =>
        $"no module \"{name}\" in the site's repositories (tappaas.repositories in {engine.Layout.ConfigurationFile}); give its folder or module file instead";

    internal static (ModuleSource? Source, string? Error) Read(string file, string name)
    {
        var full = Path.GetFullPath(file);
        var parsed = JsonSource.ParseFile(full, file);
        if (parsed.Root is not JObject root)
        {
            // Unreadable, not JSON, or JSON that is no object: say which, as validate does.
            var problems = parsed.Diagnostics.Count > 0 ? parsed.Diagnostics : [SiteEngine.NotAnObject(file, parsed.Root)];
            return (null, string.Join("; ", problems.Select(d => $"{d.Code} {d.Location}: {d.Message}{(d.Hint.Length > 0 ? $" ({d.Hint})" : "")}")));
        }

        return (new ModuleSource(new ModuleDefinition(name, file, root), Path.GetDirectoryName(full)!, File.ReadAllText(full)), null);
    }

    /// <summary>The release of a module installed in the site under <paramref name="name"/>, or null when it is not installed (or has no release).</summary>
    private static (ModuleSource? Source, string? Error)? InstalledRelease(string name, SiteEngine engine)
    {
        if (name.Length == 0 || name.Contains('/') || name.EndsWith(".json", StringComparison.Ordinal) || !File.Exists(engine.Layout.ModuleFile(name)))
        {
            return null;
        }

        var installed = JsonSource.ParseFile(engine.Layout.ModuleFile(name), engine.Layout.ModuleFile(name)).Root as JObject;
        if (installed is null || SiteEngine.ReleaseFileOf(name, new ModuleDefinition(name, engine.Layout.ModuleFile(name), installed)).File is not { } release)
        {
            return null;
        }

        return Read(release, name);
    }

    /// <summary>The release folder of a module found in the site's repositories, or null.</summary>
    public static string? FolderOf(string name, SiteLayout layout) => SearchRepositories(name, layout) is { } file ? Path.GetDirectoryName(Path.GetFullPath(file)) : null;

    private static string? SearchRepositories(string name, SiteEngine engine) => SearchRepositories(name, engine.Layout);

    private static string? SearchRepositories(string name, SiteLayout layout)
    {
        var repos = ReadRepositoryPaths(layout);
        foreach (var repo in repos.Where(Directory.Exists))
        {
            var match = Directory.EnumerateFiles(repo, name + ".json", SearchOption.AllDirectories)
                .Where(f => !Skipped(Path.GetRelativePath(repo, f)))
                .OrderBy(f => Path.GetFileName(Path.GetDirectoryName(f)) == name ? 0 : 1)
                .ThenBy(f => f.Length)
                .FirstOrDefault();
            if (match is not null)
            {
                return match;
            }
        }

        return null;
    }

    /// <summary>
    /// The modules the site's repositories offer: every <c>NAME/NAME.json</c> (a module's folder holds its file of the
    /// same name), the first repository's where two have one, by name.
    /// </summary>
    public static IReadOnlyList<(string Name, string File)> Catalog(SiteLayout layout)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var repo in ReadRepositoryPaths(layout).Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(repo, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                if (Path.GetFileName(Path.GetDirectoryName(file)) == name && !Skipped(Path.GetRelativePath(repo, file)))
                {
                    found.TryAdd(name, file);
                }
            }
        }

        return [.. found.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value))];
    }

    /// <summary>
    /// Whether a file of a repository (its path relative to the repository's root) is left out of the search: upstream's
    /// <c>Attic/</c> folders and hidden folders inside the repository. Only the part below the root counts, so a repository
    /// under <c>~/.local/share</c> is searched like any other.
    /// </summary>
    internal static bool Skipped(string relative) =>
        relative.Split('/').SkipLast(1).Any(part => part == "Attic" || part.StartsWith('.'));

    internal static IEnumerable<string> ReadRepositoryPaths(SiteLayout layout)
    {
        if (JsonSource.ParseFile(layout.ConfigurationFile, layout.ConfigurationFile).Root is JObject root
            && (root["tappaas"] as JObject)?["repositories"] is JArray repos)
        {
            foreach (var r in repos.Items.OfType<JObject>())
            {
                if (Lenient.Text(r["path"]) is { Length: > 0 } path)
                {
                    yield return path;
                }
            }
        }
    }
}
