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

            if (MissingServiceHooks(sources) is { Count: > 0 } missing)
            {
                return (null, new ApplyOutcome(ApplyStatus.Refused, missing));
            }

            var recorded = (await Store.ListModulesAsync(cancellationToken)).ToDictionary(m => m.Name, StringComparer.Ordinal);
            foreach (var s in sources)
            {
                if (recorded.TryGetValue(s.Definition.Name, out var r) && r.Status == "installed" && !options.Force)
                {
                    return (null, ApplyOutcome.Refuse(EngineCodes.AlreadyInstalled, $"module \"{s.Definition.Name}\" is already installed (revision {r.Revision})",
                        $"use 'tappaas update {s.Definition.Name}' to apply a new release, or --force to run the install again"));
                }

                if (r is { Status: "archived" } && !options.Force)
                {
                    return (null, ApplyOutcome.Refuse(EngineCodes.ArchivedNeedsForce, $"module \"{s.Definition.Name}\" was archived (revision {r.Revision}; its config and backups are kept)",
                        $"install it again with --force, or forget it first with 'tappaas delete {s.Definition.Name} --remove'"));
                }
            }

            var stamped = sources.ToDictionary(s => s.Definition.Name, s => Stamp(s, "installTime"), StringComparer.Ordinal);
            foreach (var name in stamped.Keys.ToList())
            {
                var (pinned, unresolved) = await PinImageAsync(name, stamped[name], cancellationToken);
                if (unresolved is not null)
                {
                    return (null, unresolved);
                }

                stamped[name] = pinned!;
            }

            var desired = stamped.Select(kv => Parse(kv.Key, kv.Value)).ToList();
            var (plan, problems) = Planner.Make(new PlanRequest
            {
                Desired = desired,
                Recorded = recorded.Where(kv => kv.Value.Status == "installed" && !stamped.ContainsKey(kv.Key)).ToDictionary(),
                StateRevision = await Store.GetRevisionAsync(cancellationToken),
            });
            if (plan is null)
            {
                return (null, new ApplyOutcome(ApplyStatus.Refused, Relocate(problems, sources.ToDictionary(s => s.Definition.Name, s => s.Definition, StringComparer.Ordinal))));
            }

            var folders = sources.ToDictionary(s => s.Definition.Name, s => s.Folder, StringComparer.Ordinal);
            var payload = new ApplyPayload
            {
                Command = "install",
                StateRevision = plan.StateRevision,
                Definitions = stamped,
                Previous = sources.ToDictionary(s => s.Definition.Name, s => recorded.GetValueOrDefault(s.Definition.Name)?.Definition, StringComparer.Ordinal),
                PriorFiles = PriorFilesOf(sources.Select(s => s.Definition.Name)),
                Releases = sources.ToDictionary(s => s.Definition.Name, s => s.ReleaseText, StringComparer.Ordinal),
                Folders = folders,
                Reason = "install",
                Steps = InstallSteps(plan, desired, recorded, folders),
            };
            return (payload, null);
        }, cancellationToken);

    private static List<ApplyStep> InstallSteps(Plan plan, IReadOnlyList<ModuleDefinition> desired, IReadOnlyDictionary<string, InstalledModule> recorded, IReadOnlyDictionary<string, string> folders)
    {
        var builder = new StepBuilder(p => ProviderFolder(p, desired, recorded, folders));
        foreach (var module in plan.Changes.Select(c => c.Module).Distinct())
        {
            builder.Install(module, plan.Changes);
        }

        return builder.Steps;
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

    /// <summary>
    /// Upstream's check of a provider's own services before it is installed: every service a module provides through
    /// its hook scripts (no backend named for it in tappaas.backends) needs <c>services/&lt;svc&gt;/install-service.sh</c>
    /// and <c>update-service.sh</c>, else its consumers would fail at their first install or update.
    /// </summary>
    private List<Diagnostic> MissingServiceHooks(IReadOnlyList<ModuleSource> sources)
    {
        var (site, _, _) = ReadSite();
        var problems = new List<Diagnostic>();
        foreach (var s in sources)
        {
            var provides = s.Definition.Field("provides");
            for (var i = 0; i < s.Definition.Provides.Count; i++)
            {
                var service = s.Definition.Provides[i];
                if ((site?.BackendFor(s.Definition.Name, service) ?? "hooks") != "hooks")
                {
                    continue;
                }

                var missing = new[] { "install-service.sh", "update-service.sh" }.Where(f => !File.Exists(Path.Combine(s.Folder, "services", service, f))).ToList();
                if (missing.Count > 0)
                {
                    var item = (provides?.Value as Model.Json.JArray)?.Items.ElementAtOrDefault(i);
                    problems.Add(Diagnostic.Error(EngineCodes.ServiceHooksMissing,
                        new SourceLocation(s.Definition.File, provides is null ? "$" : Model.Json.JsonPathText.Index(provides.SourcePath, i), item?.Position.Line ?? 0, item?.Position.Column ?? 0),
                        $"\"{s.Definition.Name}\" provides \"{service}\" but has no {string.Join(" or ", missing.Select(f => $"services/{service}/{f}"))} in {s.Folder}",
                        $"add the script(s), or name a backend for {s.Definition.Name}:{service} in tappaas.backends of configuration.json"));
                }
            }
        }

        return problems;
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
