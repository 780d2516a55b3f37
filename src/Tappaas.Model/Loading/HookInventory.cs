using Tappaas.Model.Json;

namespace Tappaas.Model.Loading;

/// <summary>
/// Which hook scripts a module folder has: the <c>*.sh</c> files on disk, plus, for a repository whose scripts
/// are not checked out, the entries of a <c>hooks-index.json</c> at its root
/// (<c>{"modules": {"&lt;folder&gt;": {"moduleHooks": [...], "services": {"&lt;svc&gt;": [...]}}}}</c>).
/// </summary>
public sealed class HookInventory
{
    private readonly Dictionary<string, JObject?> _indexes = new(StringComparer.Ordinal);

    /// <summary>The hooks known for a module folder; null when nothing is known about its scripts.</summary>
    public ModuleHooks? For(string moduleDir)
    {
        var full = Path.GetFullPath(moduleDir);
        var services = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var moduleHooks = new HashSet<string>(StringComparer.Ordinal);
        var known = false;

        if (Directory.Exists(full))
        {
            foreach (var f in Directory.EnumerateFiles(full, "*.sh"))
            {
                moduleHooks.Add(Path.GetFileName(f));
                known = true;
            }

            var servicesDir = Path.Combine(full, "services");
            if (Directory.Exists(servicesDir))
            {
                foreach (var svc in Directory.EnumerateDirectories(servicesDir))
                {
                    var scripts = Directory.EnumerateFiles(svc, "*.sh").Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal);
                    known |= scripts.Count > 0;
                    services[Path.GetFileName(svc)] = scripts;
                }
            }
        }

        for (var dir = full; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (Index(dir) is not { } index)
            {
                continue;
            }

            var key = Path.GetRelativePath(dir, full).Replace(Path.DirectorySeparatorChar, '/');
            if ((index["modules"] as JObject)?[key] is JObject entry)
            {
                known = true;
                moduleHooks.UnionWith(Lenient.Strings(entry["moduleHooks"]));
                foreach (var svc in (entry["services"] as JObject)?.Properties ?? [])
                {
                    if (!services.TryGetValue(svc.Name, out var set))
                    {
                        services[svc.Name] = set = new HashSet<string>(StringComparer.Ordinal);
                    }

                    set.UnionWith(Lenient.Strings(svc.Value));
                }
            }

            break;
        }

        return known ? new ModuleHooks(moduleHooks, services) : null;
    }

    private JObject? Index(string dir)
    {
        if (!_indexes.TryGetValue(dir, out var index))
        {
            var path = Path.Combine(dir, "hooks-index.json");
            index = File.Exists(path) ? JsonSource.ParseFile(path, path).Root as JObject : null;
            _indexes[dir] = index;
        }

        return index;
    }
}

/// <summary>The hook scripts of one module folder.</summary>
/// <param name="ModuleScripts">Module-level scripts (install.sh, update.sh, …).</param>
/// <param name="ServiceScripts">Service folder → scripts in it.</param>
public sealed record ModuleHooks(IReadOnlySet<string> ModuleScripts, IReadOnlyDictionary<string, HashSet<string>> ServiceScripts);
