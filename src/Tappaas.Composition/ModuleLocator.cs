using Tappaas.Engine;
using Tappaas.Engine.Site;
using Tappaas.Model.Json;
using Tappaas.Model.Loading;
using Tappaas.Model.Modules;

namespace Tappaas.Composition;

/// <summary>Finds a module release from what the operator typed: a module file, its folder, or a name found in the site's repositories.</summary>
public static class ModuleLocator
{
    public static (ModuleSource? Source, string? Error) Find(string argument, SiteEngine engine)
    {
        var file = argument.EndsWith(".json", StringComparison.Ordinal) && File.Exists(argument) ? argument
            : Directory.Exists(argument) ? Path.Combine(argument, Path.GetFileName(Path.GetFullPath(argument).TrimEnd('/')) + ".json")
            : SearchRepositories(argument, engine);
        if (file is null || !File.Exists(file))
        {
            return (null, Directory.Exists(argument)
                ? $"folder {argument} has no {Path.GetFileName(Path.GetFullPath(argument).TrimEnd('/'))}.json"
                : $"no module \"{argument}\": not a file, not a folder, and not found in the site's repositories (tappaas.repositories in {engine.Layout.ConfigurationFile})");
        }

        var full = Path.GetFullPath(file);
        var parsed = JsonSource.ParseFile(full, file);
        if (parsed.Root is not JObject root)
        {
            return (null, string.Join("; ", parsed.Diagnostics.Select(d => d.ToString())));
        }

        return (new ModuleSource(new ModuleDefinition(WorkspaceLoader.ModuleName(full), file, root), Path.GetDirectoryName(full)!, File.ReadAllText(full)), null);
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
    /// Whether a file of a repository (its path relative to the repository's root) is left out of the search: upstream's
    /// <c>Attic/</c> folders and hidden folders inside the repository. Only the part below the root counts, so a repository
    /// under <c>~/.local/share</c> is searched like any other.
    /// </summary>
    internal static bool Skipped(string relative) =>
        relative.Split('/').SkipLast(1).Any(part => part == "Attic" || part.StartsWith('.'));

    private static IEnumerable<string> ReadRepositoryPaths(SiteLayout layout)
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
