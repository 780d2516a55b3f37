using Tappaas.Engine.Apply;
using Tappaas.Engine.Planning;

namespace Tappaas.Engine;

public sealed partial class SiteEngine
{
    /// <summary>
    /// Deletes a module: its delete.sh, then each provider's delete in reverse dependsOn order (backup:vm is kept when
    /// archiving), then archive (default: status archived, config and backups kept) or remove. Refused while other
    /// modules depend on it, unless forced.
    /// </summary>
    public Task<ApplyOutcome> DeleteAsync(string module, EngineOptions options, CancellationToken cancellationToken) =>
        RunLockedAsync("delete", options.Flags, async () =>
        {
            var record = await Store.GetModuleAsync(module, cancellationToken);
            if (record is null || (record.Status == "archived" && options.Archive))
            {
                return (null, record is null ? NotInstalled(module) : ApplyOutcome.Refuse(EngineCodes.NotInstalled,
                    $"module \"{module}\" is already archived", $"use --remove to forget it and delete its config"));
            }

            var definition = Parse(module, record.Definition);
            var recorded = (await Store.ListModulesAsync(cancellationToken)).Where(m => m.Name != module && m.Status == "installed").ToList();
            var dependents = recorded
                .Select(r => Parse(r.Name, r.Definition))
                .Where(d => d.DependsOn.Any(s => s.Module == module && definition.Provides.Contains(s.Service)))
                .Select(d => d.Name).ToList();
            if (dependents.Count > 0 && !options.Force)
            {
                return (null, ApplyOutcome.Refuse(EngineCodes.HasDependents,
                    $"module \"{module}\" is used by {string.Join(", ", dependents.Select(d => $"\"{d}\""))}",
                    "delete those first, or use --force to delete anyway (they will lose the services they depend on)"));
            }

            var folder = definition.Text("location") ?? Layout.ConfigDir;
            var others = recorded.ToDictionary(r => r.Name, StringComparer.Ordinal);
            var builder = new StepBuilder(p => ProviderFolder(p, [definition], others, new Dictionary<string, string> { [module] = folder }));
            builder.Delete(definition, options.Archive);
            return (new ApplyPayload
            {
                Command = "delete",
                StateRevision = await Store.GetRevisionAsync(cancellationToken),
                Previous = new() { [module] = record.Definition },
                Folders = new() { [module] = folder },
                Archive = options.Archive,
                Reason = options.Archive ? "archive" : "remove",
                Steps = builder.Steps,
            }, null);
        }, cancellationToken);
}
