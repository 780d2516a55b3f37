using Tappaas.Abstractions.Plans;
using Tappaas.Abstractions.State;
using Tappaas.Engine.Planning;
using Tappaas.Model.Modules;

namespace Tappaas.Engine.Tests.Planning;

public sealed class PlannerTests
{
    private static Plan PlanFor(IReadOnlyList<ModuleDefinition> desired, params InstalledModule[] recorded)
    {
        var (plan, diagnostics) = Planner.Make(new PlanRequest
        {
            Desired = desired,
            Recorded = recorded.ToDictionary(r => r.Name),
            StateRevision = 7,
        });
        Assert.Empty(diagnostics);
        return plan!;
    }

    [Fact]
    public void Fresh_install_follows_the_graph_not_the_dependsOn_order()
    {
        var plan = PlanFor([Modules.App(), Modules.Firewall, Modules.Cluster]);
        Assert.Equal(7, plan.StateRevision);
        Assert.Equal(
            ["cluster", "firewall/cluster:vm", "firewall/firewall:proxy", "firewall", "app/cluster:vm", "app/firewall:proxy", "app"],
            plan.Changes.Select(c => c.Address));
        Assert.All(plan.Changes, c => Assert.Equal(ChangeAction.Create, c.Action));
        Assert.All(plan.Changes, c => Assert.NotEmpty(c.Reasons));
    }

    [Fact]
    public void Unchanged_modules_plan_no_changes()
    {
        var plan = PlanFor([Modules.Cluster, Modules.App()], Modules.Record(Modules.Cluster), Modules.Record(Modules.Firewall), Modules.Record(Modules.App()));
        Assert.False(plan.HasChanges);
        Assert.All(plan.Changes, c => Assert.Empty(c.Reasons));
    }

    [Fact]
    public void Stamped_fields_never_cause_a_change()
    {
        var installed = Modules.Parse("app", """{"vmid": 300, "image": "8080", "cores": 2, "installTime": "20260101-10:00:00", "location": "/x", "dependsOn": ["firewall:proxy", "cluster:vm"], "proxyPort": 8080}""");
        var plan = PlanFor([Modules.Cluster, Modules.App()], Modules.Record(Modules.Cluster), Modules.Record(Modules.Firewall), Modules.Record(installed));
        Assert.False(plan.HasChanges);
    }

    [Fact]
    public void Changed_field_updates_its_service_and_the_module_with_reasons()
    {
        var desired = Modules.Parse("app", """{"vmid": 300, "image": "8080", "cores": 4, "dependsOn": ["firewall:proxy", "cluster:vm"], "proxyPort": 8080}""");
        var plan = PlanFor([Modules.Cluster, desired], Modules.Record(Modules.Cluster), Modules.Record(Modules.Firewall), Modules.Record(Modules.App()));
        var vm = plan.Changes.Single(c => c.Address == "app/cluster:vm");
        Assert.Equal(ChangeAction.Update, vm.Action);
        Assert.Equal(["cores changed from 2 to 4"], vm.Reasons);
        Assert.Equal(ChangeAction.NoOp, plan.Changes.Single(c => c.Address == "app/firewall:proxy").Action);
        Assert.Equal(ChangeAction.Update, plan.Changes.Single(c => c.Address == "app").Action);
    }

    [Fact]
    public void Changing_the_vmid_replaces_the_guest()
    {
        var desired = Modules.Parse("app", """{"vmid": 301, "image": "8080", "cores": 2, "dependsOn": ["firewall:proxy", "cluster:vm"], "proxyPort": 8080}""");
        var plan = PlanFor([Modules.Cluster, desired], Modules.Record(Modules.Cluster), Modules.Record(Modules.Firewall), Modules.Record(Modules.App()));
        var module = plan.Changes.Single(c => c.Address == "app");
        Assert.Equal(ChangeAction.Replace, module.Action);
        Assert.Contains("vmid changed from 300 to 301", module.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Added_and_removed_dependencies()
    {
        var installed = Modules.Parse("app", """{"vmid": 300, "image": "8080", "dependsOn": ["cluster:vm", "firewall:rules"]}""");
        var desired = Modules.Parse("app", """{"vmid": 300, "image": "8080", "dependsOn": ["cluster:vm", "firewall:proxy"]}""");
        var plan = PlanFor([desired], Modules.Record(Modules.Cluster), Modules.Record(Modules.Firewall), Modules.Record(installed));
        Assert.Equal(ChangeAction.Create, plan.Changes.Single(c => c.Address == "app/firewall:proxy").Action);
        Assert.Equal(ChangeAction.Delete, plan.Changes.Single(c => c.Address == "app/firewall:rules").Action);
    }

    [Fact]
    public void Observed_drift_recreates()
    {
        var (plan, _) = Planner.Make(new PlanRequest
        {
            Desired = [Modules.Cluster],
            Recorded = new Dictionary<string, InstalledModule> { ["cluster"] = Modules.Record(Modules.Cluster) },
            ObservedMissing = new Dictionary<string, string> { ["cluster"] = "cluster:vm found no guest" },
        });
        var change = Assert.Single(plan!.Changes);
        Assert.Equal(ChangeAction.Create, change.Action);
        Assert.Contains("drift", change.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Unlisted_modules_are_deleted_consumers_first()
    {
        var (plan, _) = Planner.Make(new PlanRequest
        {
            Desired = [],
            Recorded = new[] { Modules.Cluster, Modules.App(), Modules.Firewall }.ToDictionary(m => m.Name, m => Modules.Record(m)),
            DeleteUnlisted = true,
        });
        var modules = plan!.Changes.Where(c => c.Service is null).Select(c => c.Module).ToList();
        Assert.Equal(["app", "firewall", "cluster"], modules);
        Assert.All(plan.Changes, c => Assert.Equal(ChangeAction.Delete, c.Action));
    }

    [Fact]
    public void Missing_provider_prevents_a_plan()
    {
        var (plan, diagnostics) = Planner.Make(new PlanRequest { Desired = [Modules.App()], Recorded = new Dictionary<string, InstalledModule>() });
        Assert.Null(plan);
        Assert.Contains(diagnostics, d => d.Code == Model.Diagnostics.DiagnosticCodes.ProviderMissing);
    }

    [Fact]
    public void Applying_a_plan_then_replanning_yields_only_no_ops()
    {
        var desired = new[] { Modules.Cluster, Modules.Firewall, Modules.App() };
        var first = PlanFor(desired);
        Assert.True(first.HasChanges);
        var second = PlanFor(desired, [.. desired.Select(m => Modules.Record(m))]);
        Assert.False(second.HasChanges);
        Assert.Equal(first.Changes.Select(c => c.Address), second.Changes.Select(c => c.Address));
    }
}
