using Tappaas.Abstractions.Plans;
using Tappaas.Abstractions.State;
using Tappaas.Engine.Apply;
using Tappaas.Engine.Planning;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Modules;
using Tappaas.Model.Validation;

namespace Tappaas.Engine;

public sealed partial class SiteEngine
{
    /// <summary>
    /// Installs modules (and, in dependency order, any of them that provide services to the others). A failing step
    /// undoes the completed ones in reverse and leaves no config behind.
    /// </summary>
    public Task<ApplyOutcome> InstallAsync(IReadOnlyList<ModuleSource> sources, EngineOptions options, CancellationToken cancellationToken) =>
        RunLockedAsync("install", options.Flags, async () =>
        {
            if (Validate(sources.Select(s => s.Definition)) is { } invalid)
            {
                return (null, invalid);
            }

            var recorded = (await Store.ListModulesAsync(cancellationToken)).ToDictionary(m => m.Name, StringComparer.Ordinal);
            foreach (var s in sources)
            {
                if (recorded.TryGetValue(s.Definition.Name, out var r) && r.Status == "installed" && !options.Force)
                {
                    return (null, ApplyOutcome.Refuse(EngineCodes.AlreadyInstalled, $"module \"{s.Definition.Name}\" is already installed (revision {r.Revision})",
                        $"use 'tappaas update {s.Definition.Name}' to apply a new release, or --force to run the install again"));
                }
            }

            var stamped = sources.ToDictionary(s => s.Definition.Name, s => Stamp(s, "installTime"), StringComparer.Ordinal);
            var desired = stamped.Select(kv => Parse(kv.Key, kv.Value)).ToList();
            var (plan, problems) = Planner.Make(new PlanRequest
            {
                Desired = desired,
                Recorded = recorded.Where(kv => kv.Value.Status == "installed" && !stamped.ContainsKey(kv.Key)).ToDictionary(),
                StateRevision = await Store.GetRevisionAsync(cancellationToken),
            });
            if (plan is null)
            {
                return (null, new ApplyOutcome(ApplyStatus.Refused, problems));
            }

            var folders = sources.ToDictionary(s => s.Definition.Name, s => s.Folder, StringComparer.Ordinal);
            var payload = new ApplyPayload
            {
                Command = "install",
                StateRevision = plan.StateRevision,
                Definitions = stamped,
                Previous = sources.ToDictionary(s => s.Definition.Name, s => recorded.GetValueOrDefault(s.Definition.Name)?.Definition, StringComparer.Ordinal),
                Releases = sources.ToDictionary(s => s.Definition.Name, s => s.ReleaseText, StringComparer.Ordinal),
                Folders = folders,
                Reason = "install",
                Steps = InstallSteps(plan, desired, recorded, folders),
            };
            return (payload, null);
        }, cancellationToken);

    private static List<ApplyStep> InstallSteps(Plan plan, IReadOnlyList<ModuleDefinition> desired, IReadOnlyDictionary<string, InstalledModule> recorded, IReadOnlyDictionary<string, string> folders)
    {
        var steps = new List<ApplyStep>();
        foreach (var module in plan.Changes.Select(c => c.Module).Distinct())
        {
            steps.Add(new ApplyStep(steps.Count, StepKind.StageConfig, module, Reason: $"write config/{module}.json"));
            foreach (var change in plan.Changes.Where(c => c.Module == module && c.Service is not null))
            {
                var service = change.Service!.Value;
                steps.Add(new ApplyStep(steps.Count, StepKind.ServiceInstall, module, service.ToString(), ProviderFolder(service.Module, desired, recorded, folders), Reason: string.Join("; ", change.Reasons)));
            }

            steps.Add(new ApplyStep(steps.Count, StepKind.ModuleHook, module, Hook: "install", Reason: "the module's own install.sh"));
            steps.Add(new ApplyStep(steps.Count, StepKind.Commit, module, Reason: "record the installed revision"));
        }

        return steps;
    }

    /// <summary>Where the providing module's scripts live: its source folder when it is being installed, else its recorded location.</summary>
    private static string? ProviderFolder(string provider, IReadOnlyList<ModuleDefinition> desired, IReadOnlyDictionary<string, InstalledModule> recorded, IReadOnlyDictionary<string, string> folders)
    {
        if (folders.TryGetValue(provider, out var folder))
        {
            return folder;
        }

        var definition = desired.FirstOrDefault(d => d.Name == provider)
            ?? (recorded.GetValueOrDefault(provider) is { } r ? Parse(provider, r.Definition) : null);
        return definition?.Text("location");
    }

    private ApplyOutcome? Validate(IEnumerable<ModuleDefinition> modules)
    {
        var (site, zones, siteProblems) = ReadSite();
        var bag = new DiagnosticBag();
        bag.AddRange(siteProblems.Where(d => d.Severity == Severity.Error));
        foreach (var m in modules)
        {
            ModuleValidator.Validate(m, new ValidationContext(zones, site), bag);
        }

        return bag.HasErrors
            ? new ApplyOutcome(ApplyStatus.Refused, [.. bag.Where(d => d.Severity == Severity.Error)])
            : null;
    }
}
