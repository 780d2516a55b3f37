using Tappaas.IO;
using Tappaas.Engine.Apply;
using Tappaas.Engine.Site;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;
using Tappaas.Model.Loading;
using Tappaas.Model.Modules;

namespace Tappaas.Engine;

public sealed partial class SiteEngine
{
    /// <summary>
    /// Imports an existing TAPPaaS config folder (upstream's layout): every file is kept byte for byte in the site's
    /// config folder, and each module (<c>&lt;name&gt;.json</c>, variants and archived ones included) is recorded as
    /// revision 1 with status installed or archived. Besides modules and their <c>.orig</c> baselines, upstream keeps
    /// configuration.json, zones.json (+ .orig), <c>&lt;module&gt;.meta.json</c>, backup sources (<c>remote-&lt;n&gt;.json</c>,
    /// <c>external-&lt;n&gt;.json</c>) and firewall/sequence-map.json there; anything else is kept too and reported as not
    /// understood. Modules the site already records are skipped (their files untouched). Runs nothing.
    /// </summary>
    public async Task<ApplyOutcome> ImportAsync(string folder, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
        {
            return ApplyOutcome.Refuse(EngineCodes.ModuleNotFound, $"{folder} is not a folder", "give an upstream config folder (it holds configuration.json and <module>.json files)");
        }

        var (applyLock, heldBy) = await ApplyLock.AcquireAsync(Store, time, "import", cancellationToken);
        if (applyLock is null)
        {
            return Locked(heldBy!);
        }

        await using (applyLock)
        {
            var diagnostics = new List<Diagnostic>();
            var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'))
                .Where(r => !r.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            var modules = new Dictionary<string, JObject>(StringComparer.Ordinal);
            foreach (var relative in files.Where(r => !r.Contains('/') && r.EndsWith(".json", StringComparison.Ordinal) && ConfigFolder.KindOf(r) == ConfigFileKind.Other))
            {
                var file = Path.Combine(folder, relative);
                if (JsonSource.ParseFile(file, file).Root is JObject root && FileClassifier.Classify(file, root) == JsonFileKind.Module)
                {
                    modules[WorkspaceLoader.ModuleName(file)] = root;
                }
            }

            var skipped = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, root) in modules)
            {
                if (await Store.GetModuleAsync(name, cancellationToken) is not null)
                {
                    diagnostics.Add(Diagnostic.Warning(EngineCodes.Warning, SourceLocation.ForFile(Path.Combine(folder, name + ".json")),
                        $"module \"{name}\" is already recorded in this site; skipped (its files in the site are kept as they are)"));
                    skipped.Add(name);
                    continue;
                }

                var module = new ModuleDefinition(name, Path.Combine(folder, name + ".json"), root);
                var status = module.Text("status") == "archived" ? "archived" : "installed";
                await Store.SaveModuleAsync(name, JsonText.Write(module.ToCanonical()), status, "import", cancellationToken);
                await Store.AppendEventAsync(name, "imported", $"imported {name} ({status}) from {module.File}", cancellationToken);
                diagnostics.Add(Diagnostic.Info(EngineCodes.Warning, SourceLocation.ForFile(module.File), $"recorded {name} ({status})"));
            }

            foreach (var relative in files)
            {
                var kind = ConfigFolder.KindOf(relative, modules.ContainsKey);
                var owner = ConfigFolder.ModuleOf(relative);
                if (owner is not null && skipped.Contains(owner))
                {
                    continue;
                }

                if (kind == ConfigFileKind.Other)
                {
                    diagnostics.Add(Diagnostic.Warning(EngineCodes.Warning, SourceLocation.ForFile(Path.Combine(folder, relative)),
                        $"{relative} is not a file TAPPaaS knows in a config folder; kept as it is in {Layout.ConfigDir} (and exported again), not read"));
                }

                var target = Path.Combine(Layout.ConfigDir, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                AtomicFile.Write(target, await File.ReadAllBytesAsync(Path.Combine(folder, relative), cancellationToken));
            }

            return new ApplyOutcome(ApplyStatus.Succeeded, diagnostics);
        }
    }

    /// <summary>
    /// Writes the site in upstream's config folder layout to <paramref name="folder"/>: the site's config folder as it is
    /// (modules, baselines, sidecars and every file an import kept, byte for byte), plus the recorded definition of any
    /// module whose file is missing there. Returns the number of modules.
    /// </summary>
    public async Task<int> ExportAsync(string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var config = Layout.ConfigDir;
        foreach (var file in Directory.Exists(config) ? Directory.GetFiles(config, "*", SearchOption.AllDirectories) : [])
        {
            var relative = Path.GetRelativePath(config, file);
            if (relative.EndsWith(".tmp", StringComparison.Ordinal))
            {
                continue;
            }

            var target = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            AtomicFile.Write(target, await File.ReadAllBytesAsync(file, cancellationToken));
        }

        var modules = await Store.ListModulesAsync(cancellationToken);
        foreach (var m in modules.Where(m => !File.Exists(Layout.ModuleFile(m.Name))))
        {
            AtomicFile.Write(Path.Combine(folder, m.Name + ".json"), m.Definition);
        }

        return modules.Count;
    }
}
