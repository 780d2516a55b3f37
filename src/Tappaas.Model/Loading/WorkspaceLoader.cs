using Tappaas.Model.Catalog;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Model.Site;
using Tappaas.Model.Zones;

namespace Tappaas.Model.Loading;

/// <summary>Finds and reads every TAPPaaS JSON file under files and folders.</summary>
public static class WorkspaceLoader
{
    /// <summary>Loads the given files and folders (recursively; hidden folders and <c>Attic/</c> are skipped).</summary>
    public static Workspace Load(IReadOnlyList<string> paths, WorkspaceOptions? options = null)
    {
        options ??= new WorkspaceOptions();
        var bag = new DiagnosticBag();
        var missing = false;
        var found = new List<(string Display, string Full)>();
        foreach (var p in paths)
        {
            if (File.Exists(p))
            {
                found.Add((p, Path.GetFullPath(p)));
            }
            else if (Directory.Exists(p))
            {
                found.AddRange(Walk(p).Select(f => (Path.Join(p, Path.GetRelativePath(p, f)), Path.GetFullPath(f))));
            }
            else
            {
                missing = true;
                bag.Add(Diagnostic.Error(DiagnosticCodes.PathNotFound, SourceLocation.ForFile(p),
                    "no such file or folder", "give a module file or a folder that contains module files"));
            }
        }

        var files = found.DistinctBy(f => f.Full).Select(f => Read(f.Display, f.Full, bag)).ToList();
        var modules = OneFilePerName(files.Where(f => f.Kind == JsonFileKind.Module && f.Root is JObject), bag);

        var zoneSets = new List<(LoadedFile File, ZoneSet Set)>();
        var sites = new List<SiteConfiguration>();
        var catalogs = new List<ModuleCatalog>();
        foreach (var f in files.Where(f => f.Root is JObject))
        {
            var sink = new DiagnosticSink(f.DisplayPath, bag);
            var root = (JObject)f.Root!;
            switch (f.Kind)
            {
                case JsonFileKind.Zones:
                    zoneSets.Add((f, ZonesReader.Read(root, sink)));
                    break;
                case JsonFileKind.SiteConfiguration:
                    sites.Add(SiteConfigurationReader.Read(root, sink));
                    break;
                case JsonFileKind.Catalog:
                    var repoRoot = RepositoryRoot(f.FullPath);
                    catalogs.Add(CatalogReader.Read(root, sink, rel => File.Exists(Path.Combine(repoRoot, rel))));
                    break;
                case JsonFileKind.LegacyCatalog:
                    // Upstream's repository tool still reads modules.json; today's rules (stack, category, status) are advice there.
                    bag.Add(Diagnostic.Warning(DiagnosticCodes.Deprecated, SourceLocation.ForFile(f.DisplayPath),
                        "modules.json is the catalog's older name; it is read, and what today's catalog rules would reject is only a warning",
                        "rename it to module-catalog.json and give each entry stack, category and status"));
                    var legacyRoot = RepositoryRoot(f.FullPath);
                    catalogs.Add(CatalogReader.Read(root, new DiagnosticSink(f.DisplayPath, bag, errorsAsWarnings: true), rel => File.Exists(Path.Combine(legacyRoot, rel))));
                    break;
                case JsonFileKind.Pinhole:
                    SidecarValidator.CheckPinhole(root, sink);
                    break;
                case JsonFileKind.Aliases:
                    SidecarValidator.CheckAliases(root, sink);
                    break;
            }
        }

        var installed = LoadInstalled(options.InstalledDirs, bag, out var installedZones, out var installedSite);
        var zones = SelectZones(options, zoneSets, installedZones, bag);
        var site = SelectSite(options, sites, installedSite, bag);

        if (!missing && files.All(f => f.Kind is JsonFileKind.Other) && installed.Count == 0)
        {
            bag.Add(Diagnostic.Error(DiagnosticCodes.NothingFound, paths.Count == 1 ? SourceLocation.ForFile(paths[0]) : null,
                files.Count == 0 ? "no JSON files found" : "no TAPPaaS module, zones, configuration or catalog files found",
                "point at a module file (<name>.json) or a folder that contains modules"));
        }

        return new Workspace
        {
            Files = files, Modules = modules, Installed = installed, ZoneSets = [.. zoneSets.Select(z => z.Set)],
            Zones = zones, Site = site, Catalogs = catalogs, Diagnostics = bag, HasMissingPaths = missing,
        };
    }

    /// <summary>
    /// The module files, one per module name. Two files with one name (module names must be unique in a site) get one
    /// warning naming both and the one used: the file in a folder named after the module, else the one nearest the top,
    /// else the first by path, as the site's repository search picks it. The other is left out, so it cannot give the
    /// modules that depend on the one used false errors.
    /// </summary>
    private static List<ModuleDefinition> OneFilePerName(IEnumerable<LoadedFile> files, DiagnosticBag bag)
    {
        var modules = new List<(int Order, ModuleDefinition Module)>();
        foreach (var group in files.Select((f, i) => (File: f, Order: i)).GroupBy(t => ModuleName(t.File.FullPath), t => t, StringComparer.Ordinal))
        {
            var ranked = group.Select(t => t.File).OrderBy(f => Path.GetFileName(Path.GetDirectoryName(f.FullPath)) == group.Key ? 0 : 1)
                .ThenBy(f => f.FullPath.Count(c => c == Path.DirectorySeparatorChar)).ThenBy(f => f.FullPath, StringComparer.Ordinal).ToList();
            var used = ranked[0];
            if (ranked.Count > 1)
            {
                bag.Add(Diagnostic.Warning(DiagnosticCodes.DuplicateModuleName, SourceLocation.ForFile(ranked[1].DisplayPath),
                    $"module name \"{group.Key}\" is used by {string.Join(" and ", ranked.Select(f => f.DisplayPath))}; {used.DisplayPath} is used, the other{(ranked.Count > 2 ? "s are" : " is")} left out",
                    "module names must be unique in a site: rename or remove the file that is not the module (old copies belong in Attic/, which is skipped)"));
            }

            modules.Add((group.Min(t => t.Order), new ModuleDefinition(group.Key, used.DisplayPath, (JObject)used.Root!)));
        }

        return [.. modules.OrderBy(m => m.Order).Select(m => m.Module)];
    }

    /// <summary>The module name of a module file: its file name without <c>.json</c>.</summary>
    public static string ModuleName(string path) => Path.GetFileNameWithoutExtension(path);

    private static IEnumerable<string> Walk(string dir)
    {
        var stack = new Stack<string>([dir]);
        var result = new List<string>();
        while (stack.Count > 0)
        {
            var d = stack.Pop();
            IEnumerable<string> entries;
            try
            {
                result.AddRange(Directory.EnumerateFiles(d, "*.json"));
                entries = Directory.EnumerateDirectories(d);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            // Hidden folders, and upstream's Attic/ of retired module copies, are not part of a repository's modules.
            foreach (var sub in entries.Where(s => !Path.GetFileName(s).StartsWith('.') && Path.GetFileName(s) != "Attic").Order(StringComparer.Ordinal).Reverse())
            {
                stack.Push(sub);
            }
        }

        return result.Order(StringComparer.Ordinal);
    }

    private static LoadedFile Read(string display, string full, DiagnosticBag bag)
    {
        var parsed = JsonSource.ParseFile(full, display);
        bag.AddRange(parsed.Diagnostics);
        if (parsed.Root is null)
        {
            return new LoadedFile(display, full, JsonFileKind.Unreadable, null);
        }

        var kind = FileClassifier.Classify(full, parsed.Root);
        if (parsed.Root is not JObject)
        {
            bag.Add(Diagnostic.Error(DiagnosticCodes.RootNotObject, new SourceLocation(display, "$", parsed.Root.Position.Line, parsed.Root.Position.Column),
                $"the file holds {parsed.Root.KindName}; TAPPaaS files are JSON objects", "wrap the content in { … } with named fields"));
            return new LoadedFile(display, full, JsonFileKind.Unreadable, parsed.Root);
        }

        return new LoadedFile(display, full, kind, parsed.Root);
    }

    private static string RepositoryRoot(string catalogPath)
    {
        var dir = Path.GetDirectoryName(catalogPath)!;
        return Path.GetFileName(dir) == "src" ? Path.GetDirectoryName(dir)! : dir;
    }

    private static List<ModuleDefinition> LoadInstalled(IReadOnlyList<string> dirs, DiagnosticBag bag, out ZoneSet? zones, out SiteConfiguration? site)
    {
        zones = null;
        site = null;
        var modules = new List<ModuleDefinition>();
        foreach (var dir in dirs)
        {
            if (!Directory.Exists(dir))
            {
                bag.Add(Diagnostic.Error(DiagnosticCodes.PathNotFound, SourceLocation.ForFile(dir), "installed-modules folder does not exist", "give the site's config folder"));
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
            {
                var display = Path.Join(dir, Path.GetFileName(file));
                var parsed = JsonSource.ParseFile(file, display);
                bag.AddRange(parsed.Diagnostics);
                if (parsed.Root is not JObject root)
                {
                    continue;
                }

                var sink = new DiagnosticSink(display, bag);
                switch (FileClassifier.Classify(file, root))
                {
                    case JsonFileKind.Module:
                        modules.Add(new ModuleDefinition(ModuleName(file), display, root));
                        break;
                    case JsonFileKind.Zones:
                        zones ??= ZonesReader.Read(root, sink);
                        break;
                    case JsonFileKind.SiteConfiguration:
                        site ??= SiteConfigurationReader.Read(root, sink);
                        break;
                }
            }
        }

        return modules;
    }

    private static ZoneSet? SelectZones(WorkspaceOptions options, List<(LoadedFile File, ZoneSet Set)> loaded, ZoneSet? installed, DiagnosticBag bag)
    {
        if (options.ZonesFile is { } explicitFile)
        {
            var full = Path.GetFullPath(explicitFile);
            var already = loaded.FirstOrDefault(z => z.File.FullPath == full);
            if (already.Set is not null)
            {
                return already.Set;
            }

            var parsed = JsonSource.ParseFile(full, explicitFile);
            bag.AddRange(parsed.Diagnostics);
            return parsed.Root is JObject root ? ZonesReader.Read(root, new DiagnosticSink(explicitFile, bag)) : null;
        }

        if (installed is not null)
        {
            return installed;
        }

        if (loaded.Count == 0)
        {
            return null;
        }

        // The zone table nearest the top of the tree is the site's; deeper ones are test fixtures.
        var chosen = loaded.OrderBy(z => z.File.FullPath.Count(c => c == Path.DirectorySeparatorChar)).ThenBy(z => z.File.FullPath, StringComparer.Ordinal).First();
        if (loaded.Count > 1)
        {
            bag.Add(Diagnostic.Info(DiagnosticCodes.ZonesSelected, SourceLocation.ForFile(chosen.File.DisplayPath),
                $"module zones are checked against {chosen.File.DisplayPath} ({loaded.Count} zones files were found)", "use --zones FILE to choose another"));
        }

        return chosen.Set;
    }

    private static SiteConfiguration? SelectSite(WorkspaceOptions options, List<SiteConfiguration> loaded, SiteConfiguration? installed, DiagnosticBag bag)
    {
        if (options.ConfigurationFile is { } explicitFile)
        {
            var parsed = JsonSource.ParseFile(Path.GetFullPath(explicitFile), explicitFile);
            bag.AddRange(parsed.Diagnostics);
            return parsed.Root is JObject root ? SiteConfigurationReader.Read(root, new DiagnosticSink(explicitFile, bag)) : null;
        }

        return installed ?? loaded.FirstOrDefault();
    }
}
