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
    /// Imports an existing TAPPaaS config folder (upstream layout): configuration.json, zones.json, each installed
    /// module (<c>&lt;name&gt;.json</c>, recorded as revision 1 with status installed or archived) and its <c>.orig</c>
    /// baseline. Modules the site already records are skipped. Runs nothing.
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
            foreach (var file in new[] { "configuration.json", "zones.json" }.Select(f => Path.Combine(folder, f)).Where(File.Exists))
            {
                AtomicFile.Write(Path.Combine(Layout.ConfigDir, Path.GetFileName(file)), await File.ReadAllTextAsync(file, cancellationToken));
            }

            foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                var parsed = JsonSource.ParseFile(file, file);
                if (parsed.Root is not JObject root || FileClassifier.Classify(file, root) != JsonFileKind.Module)
                {
                    continue;
                }

                var name = WorkspaceLoader.ModuleName(file);
                if (await Store.GetModuleAsync(name, cancellationToken) is not null)
                {
                    diagnostics.Add(Diagnostic.Warning(EngineCodes.Warning, SourceLocation.ForFile(file), $"module \"{name}\" is already recorded in this site; skipped"));
                    continue;
                }

                var module = new ModuleDefinition(name, file, root);
                var text = JsonText.Write(module.ToCanonical());
                await Store.SaveModuleAsync(name, text, module.Text("status") == "archived" ? "archived" : "installed", "import", cancellationToken);
                AtomicFile.Write(Layout.ModuleFile(name), text);
                if (File.Exists(file + ".orig"))
                {
                    AtomicFile.Write(Layout.OrigFile(name), await File.ReadAllTextAsync(file + ".orig", cancellationToken));
                }

                await Store.AppendEventAsync(name, "imported", $"imported {name} from {file}", cancellationToken);
            }

            return new ApplyOutcome(ApplyStatus.Succeeded, diagnostics);
        }
    }

    /// <summary>Writes the site in the upstream config folder layout to <paramref name="folder"/>.</summary>
    public async Task<int> ExportAsync(string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { Layout.ConfigurationFile, Layout.ZonesFile }.Where(File.Exists))
        {
            AtomicFile.Write(Path.Combine(folder, Path.GetFileName(file)), await File.ReadAllTextAsync(file, cancellationToken));
        }

        var modules = await Store.ListModulesAsync(cancellationToken);
        foreach (var m in modules)
        {
            AtomicFile.Write(Path.Combine(folder, m.Name + ".json"), m.Definition);
            if (File.Exists(Layout.OrigFile(m.Name)))
            {
                AtomicFile.Write(Path.Combine(folder, m.Name + ".json.orig"), await File.ReadAllTextAsync(Layout.OrigFile(m.Name), cancellationToken));
            }
        }

        return modules.Count;
    }
}
