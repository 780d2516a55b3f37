using Tappaas.Client;
using Tappaas.Composition;
using Tappaas.Daemon.Security;
using Tappaas.Engine;
using Tappaas.Engine.Apply;
using Tappaas.Model.Diagnostics;

namespace Tappaas.Daemon.Api;

/// <summary>
/// Install, update, delete, plan and apply through the engine. Outcomes map to statuses: 200 done, 400 an invalid
/// definition or request, 404 an unknown module, 409 the site is locked by another run, 412 a stale plan, 502 a step
/// failed and the run was rolled back — always with the engine's diagnostics.
/// </summary>
internal static class LifecycleEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapPost("/modules/{name}/install", async (string name, bool? force, SiteSession site, CancellationToken ct) =>
        {
            var (source, problem) = ModuleLocator.Find(name, site.Engine);
            return source is null
                ? Results.Problem(statusCode: 404, title: "no such module release", detail: problem)
                : Outcome(await site.Engine.InstallAsync([source], new EngineOptions { Force = force ?? false }, ct));
        }).RequireAuthorization(Policies.Operator).WithSummary("Install a module found in the site's repositories (its dependencies must be installed).");

        v1.MapPost("/install", async (InstallRequestV1 request, SiteSession site, CancellationToken ct) =>
        {
            var located = Locate(request.Modules, site);
            return located.Problem ?? Outcome(await site.Engine.InstallAsync(located.Sources!, new EngineOptions { Force = request.Force }, ct));
        }).RequireAuthorization(Policies.Operator).WithSummary("Install modules in one run, in dependency order (names, folders or module files on this host).");

        v1.MapPost("/modules/{name}/update", async (string name, bool? force, bool? noSnapshot, SiteSession site, CancellationToken ct) =>
            Outcome(await site.Engine.UpdateAsync(name, new EngineOptions { Force = force ?? false, NoSnapshot = noSnapshot ?? false }, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Update an installed module from its release; a failing step rolls back.");

        v1.MapPost("/modules/{name}/scale", async (string name, ScaleRequestV1 request, SiteSession site, CancellationToken ct) =>
            Outcome(await site.Engine.ScaleAsync(name, request.Replicas, new EngineOptions(), ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Run a number of replicas of a module's workload.");

        v1.MapDelete("/modules/{name}", async (string name, bool? remove, bool? force, SiteSession site, CancellationToken ct) =>
            Outcome(await site.Engine.DeleteAsync(name, new EngineOptions { Archive = !(remove ?? false), Force = force ?? false }, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Delete a module (archived unless remove=true; force=true even while others depend on it).");

        v1.MapPost("/plan", async (PlanRequestV1 request, SiteSession site, CancellationToken ct) =>
        {
            var located = Locate(request.Modules, site);
            if (located.Problem is { } p)
            {
                return p;
            }

            var (plan, diagnostics) = await site.Engine.PlanAsync(located.Sources!, ct);
            return plan is null
                ? Results.Problem(statusCode: 400, title: "invalid definition", detail: string.Join("; ", diagnostics.Select(d => d.Message)), extensions: Extensions(diagnostics))
                : Results.Ok(new PlanV1(plan.StateRevision, [.. plan.Changes.Select(c => new PlannedChangeV1(c.Address, c.Action.ToString().ToLowerInvariant(), c.Reasons))]));
        }).WithSummary("Plan installing or updating modules, without changing anything.");

        v1.MapPost("/apply", async (ApplyRequestV1 request, SiteSession site, CancellationToken ct) =>
        {
            var located = Locate(request.Modules, site);
            return located.Problem ?? Outcome(await site.Engine.ApplyPlanAsync(request.StateRevision, located.Sources!, new EngineOptions(), ct));
        }).RequireAuthorization(Policies.Operator).WithSummary("Apply a plan made at a state revision; 412 when the site has changed since.");
    }

    private static (List<ModuleSource>? Sources, IResult? Problem) Locate(IReadOnlyList<string> modules, SiteSession site)
    {
        if (modules is not { Count: > 0 })
        {
            return (null, Results.Problem(statusCode: 400, title: "invalid request", detail: "name at least one module: {\"modules\": [\"app\"]}"));
        }

        var sources = new List<ModuleSource>();
        foreach (var m in modules)
        {
            var (source, problem) = ModuleLocator.Find(m, site.Engine);
            if (source is null)
            {
                return (null, Results.Problem(statusCode: 404, title: "no such module release", detail: problem));
            }

            sources.Add(source);
        }

        return (sources, null);
    }

    internal static IResult Outcome(ApplyOutcome outcome)
    {
        var result = new ApplyResultV1(outcome.Status.ToString(), outcome.ApplyId, [.. outcome.Diagnostics.Select(ToV1)]);
        if (outcome.Status is ApplyStatus.Succeeded or ApplyStatus.SucceededWithWarnings)
        {
            return Results.Ok(result);
        }

        var first = outcome.Diagnostics.FirstOrDefault(d => d.Severity == Severity.Error) ?? outcome.Diagnostics.FirstOrDefault();
        var (status, title) = outcome.Status == ApplyStatus.RolledBack
            ? (502, "a step failed; the run was rolled back")
            : first?.Code switch
            {
                EngineCodes.Locked => (409, "the site is locked by another run"),
                EngineCodes.StalePlan => (412, "the plan is stale"),
                EngineCodes.NotInstalled or EngineCodes.ModuleNotFound => (404, "no such module"),
                _ => (400, "invalid definition or request"),
            };
        return Results.Problem(statusCode: status, title: title, detail: first is null ? null : $"{first.Message}{(first.Hint.Length > 0 ? " — " + first.Hint : "")}",
            extensions: new Dictionary<string, object?> { ["runId"] = outcome.ApplyId, ["diagnostics"] = result.Diagnostics });
    }

    private static Dictionary<string, object?> Extensions(IReadOnlyList<Diagnostic> diagnostics) =>
        new() { ["diagnostics"] = diagnostics.Select(ToV1).ToList() };

    private static DiagnosticV1 ToV1(Diagnostic d) =>
        new(d.Severity.ToString().ToLowerInvariant(), d.Code, d.Message, d.Hint, d.Location?.File, d.Location?.Line);
}
