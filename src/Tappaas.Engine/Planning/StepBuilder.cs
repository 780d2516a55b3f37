using Tappaas.Abstractions.Plans;
using Tappaas.Engine.Apply;
using Tappaas.Model.Modules;

namespace Tappaas.Engine.Planning;

/// <summary>
/// The one place a run's steps are made: from a plan's changes for install, update (and rollback and scale, which are
/// updates to a given definition), and from the recorded definition for delete. <c>plan</c> shows these steps and
/// <c>apply</c> runs them, so what is shown is what is applied.
/// </summary>
/// <param name="providerFolder">Where a providing module's scripts live (its source folder in this run, else its recorded location).</param>
internal sealed class StepBuilder(Func<string, string?> providerFolder)
{
    private readonly List<ApplyStep> _steps = [];

    /// <summary>The steps so far, numbered in order.</summary>
    public List<ApplyStep> Steps => _steps;

    /// <summary>
    /// A module that is not installed (or archived, or whose objects were observed missing): its config, each consumed
    /// service's install in the plan's order, its own install.sh, then the record.
    /// </summary>
    public void Install(string module, IEnumerable<PlannedChange> changes)
    {
        Add(StepKind.StageConfig, module, reason: $"write config/{module}.json");
        foreach (var change in changes.Where(c => c.Module == module && c.Service is not null))
        {
            Add(StepKind.ServiceInstall, module, change.Service, reason: string.Join("; ", change.Reasons));
        }

        Add(StepKind.ModuleHook, module, hook: "install", reason: "the module's own install.sh");
        Add(StepKind.Commit, module, reason: "record the installed revision");
    }

    /// <summary>
    /// An installed module brought to a new definition (upstream's update flow): its config, a snapshot and the
    /// pre-test (unless <paramref name="snapshot"/> is false), pre-update.sh, each consumed service (install for an added
    /// one, update for a kept one, delete for a removed one), update.sh, the record and the post-test (unless
    /// <paramref name="postTest"/> is false: a scale, where the guest provider already waited for each new replica to be
    /// ready and nothing else changed).
    /// </summary>
    public void Converge(string module, IEnumerable<PlannedChange> changes, bool snapshot, string reason, bool postTest = true)
    {
        Add(StepKind.StageConfig, module, reason: $"write the merged config/{module}.json");
        if (snapshot)
        {
            Add(StepKind.Snapshot, module, reason: "safety net for automatic rollback");
            Add(StepKind.PreTest, module, reason: "the module must be healthy before it is changed");
        }

        Add(StepKind.ModuleHook, module, hook: "pre-update", reason: "the module's pre-update.sh");
        foreach (var change in changes.Where(c => c.Module == module && c.Service is not null))
        {
            var service = change.Service!.Value;
            var (kind, why) = change.Action switch
            {
                ChangeAction.Create => (StepKind.ServiceInstall, $"{service} was added"),
                ChangeAction.Delete => (StepKind.ServiceDelete, $"{service} was removed"),
                _ => (StepKind.ServiceUpdate, $"{service} reconciles the module"),
            };
            Add(kind, module, service, reason: change.Reasons.Count > 0 && change.Action != ChangeAction.Create ? $"{why}: {string.Join("; ", change.Reasons)}" : why);
        }

        Add(StepKind.ModuleHook, module, hook: "update", reason: "the module's update.sh");
        Add(StepKind.Commit, module, reason: $"record the new revision ({reason})");
        if (postTest)
        {
            Add(StepKind.PostTest, module, reason: "the module must be healthy after the change");
        }
    }

    /// <summary>
    /// A module deleted: its delete.sh, then each consumed service's delete in reverse dependsOn order (an archived
    /// module keeps its backups, so backup:vm is skipped then), then archive or remove.
    /// </summary>
    public void Delete(ModuleDefinition module, bool archive)
    {
        Add(StepKind.ModuleHook, module.Name, hook: "delete", reason: "the module's delete.sh");
        foreach (var service in module.DependsOn.Reverse())
        {
            if (archive && service == ServiceRef.Parse("backup:vm"))
            {
                continue;
            }

            Add(StepKind.ServiceDelete, module.Name, service, reason: $"{service} releases what it set up for {module.Name}");
        }

        Add(archive ? StepKind.Archive : StepKind.Remove, module.Name,
            reason: archive ? "keep config and backups, mark archived" : "forget the module and delete its config");
    }

    private void Add(StepKind kind, string module, ServiceRef? service = null, string? hook = null, string reason = "") =>
        _steps.Add(new ApplyStep(_steps.Count, kind, module, service?.ToString(), service is { } s ? providerFolder(s.Module) : null, hook, reason));
}
