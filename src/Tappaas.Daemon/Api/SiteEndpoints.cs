using Tappaas.Client;
using Tappaas.Composition;
using Tappaas.Daemon.Security;
using Tappaas.Engine;
using Tappaas.Model.Loading;

namespace Tappaas.Daemon.Api;

/// <summary>Status, zones, nodes, logs, run journals, live progress and rollback.</summary>
internal static class SiteEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapGet("/status", async (StatusCache status, CancellationToken ct) => Results.Bytes(await status.ReadAsync(ct), "application/json"))
            .Produces<SiteStatusV1>().WithSummary("The site at a glance: modules, recent runs, the lock holder and every guest's health.");

        v1.MapGet("/zones", (SiteSession site) =>
            (SiteFiles.Read(site.Layout.ConfigDir).Zones?.Zones ?? []).Select(z =>
                new ZoneV1(z.Name, z.Type ?? "", z.State?.ToString() ?? "", z.VlanTag, z.Ip, z.AccessTo)))
            .WithSummary("The site's network zones (zones.json).");

        v1.MapGet("/nodes", (SiteSession site) => new[] { HostNode.Read(site.Layout.Root) })
            .WithSummary("The hosts that run guests (the embedded platform: this host).");

        v1.MapGet("/modules/{name}/logs", (string name, string? since, string[]? after, SiteSession site, TimeProvider time) =>
        {
            var (from, error) = ModuleLogs.ParseSince(since, time.GetUtcNow());
            if (error is not null)
            {
                return Results.Problem(statusCode: 400, title: "invalid request", detail: error);
            }

            var positions = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var a in after ?? [])
            {
                var colon = a.LastIndexOf(':');
                if (colon <= 0 || !long.TryParse(a[(colon + 1)..], out var position))
                {
                    return Results.Problem(statusCode: 400, title: "invalid request", detail: $"after={a}: write GUEST:POSITION, as a previous answer's next positions");
                }

                positions[a[..colon]] = position;
            }

            if (ModuleLogs.Files(site.Layout.Root, name).Count == 0)
            {
                return Results.Problem(statusCode: 404, title: "no such module", detail: $"module \"{name}\" has no guests with logs in this site");
            }

            var (lines, next) = ModuleLogs.Read(site.Layout.Root, name, from, positions);
            return Results.Ok(new LogsV1(name, lines, next));
        }).WithSummary("What a module's guests printed; pass the answer's positions back as after=GUEST:POSITION to follow.");

        v1.MapGet("/runs/{id:long}/journal", async (long id, SiteSession site, CancellationToken ct) =>
        {
            var run = (await site.Store.ListAppliesAsync(int.MaxValue, ct)).FirstOrDefault(r => r.Id == id);
            return run is null
                ? Results.Problem(statusCode: 404, title: "no such run", detail: $"run {id} is not in this site's journal; GET /api/v1/status lists recent runs")
                : Results.Ok((await site.Store.ReadJournalAsync(id, ct)).Select(e => new ProgressV1(id, run.Command, e.Step, e.Address, e.Phase, e.Detail, e.At)));
        }).WithSummary("Every journalled step of a run.");

        v1.MapGet("/runs/progress", StreamProgressAsync).WithSummary("Server-sent events: the steps of runs that start or are running, as they are journalled.");

        v1.MapPost("/modules/{name}/promote", async (string name, SiteSession site, CancellationToken ct) =>
            LifecycleEndpoints.Outcome(await site.Engine.PromoteAsync(name, new EngineOptions(), ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Promote an update's canaries: the remaining old guests are replaced (rolling).");

        v1.MapPost("/modules/{name}/rollback", async (string name, RollbackRequestV1? request, SiteSession site, CancellationToken ct) =>
            LifecycleEndpoints.Outcome(await site.Engine.RollbackAsync(name, request?.Revision, new EngineOptions(), ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Re-apply an earlier revision (default: the previous one) as a new revision.");
    }

    private static async Task StreamProgressAsync(HttpContext context, SiteSession site, CancellationToken ct)
    {
        // Runs already finished are history; follow the running one and every later one. The subscriber may start a
        // run once the headers arrive, so the boundary is fixed before they are sent.
        var finishedBefore = (await site.Store.ListAppliesAsync(1, ct)).FirstOrDefault() is { } latest ? (latest.Status == "running" ? latest.Id - 1 : latest.Id) : 0;
        var sent = new Dictionary<long, int>();
        var complete = new HashSet<long>(); // finished when their journal was read: nothing more will come
        await ServerSentEvents.StreamAsync(context, "tappaas progress", TimeSpan.FromMilliseconds(100), async token =>
        {
            var frames = new List<string>();
            foreach (var run in (await site.Store.ListAppliesAsync(5, token)).Where(r => r.Id > finishedBefore && !complete.Contains(r.Id)).OrderBy(r => r.Id))
            {
                var entries = await site.Store.ReadJournalAsync(run.Id, token);
                frames.AddRange(entries.Skip(sent.GetValueOrDefault(run.Id))
                    .Select(e => ServerSentEvents.Frame("step", new ProgressV1(run.Id, run.Command, e.Step, e.Address, e.Phase, e.Detail, e.At))));
                sent[run.Id] = entries.Count;
                if (run.Status != "running")
                {
                    complete.Add(run.Id);
                }
            }

            return frames;
        }, ct);
    }
}
