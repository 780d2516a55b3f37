using System.Text.Json.Nodes;
using Tappaas.Client;
using Tappaas.Composition;
using Tappaas.Daemon.Security;
using Tappaas.Platform.Embedded.Backup;
using Tappaas.Platform.Embedded.Runtime;

namespace Tappaas.Daemon.Api;

/// <summary>The routes of API version 1.</summary>
internal static class Endpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/health", (SiteSession site, TimeProvider time) => new HealthV1("ok", site.Layout.Root, time.GetUtcNow()))
            .AllowAnonymous().WithSummary("Liveness of the daemon (no token needed).");

        app.MapGet("/api/v1/ca.crt", (Proxy.SiteCertificateAuthority ca) => Results.Text(ca.RootPem, "application/x-pem-file"))
            .AllowAnonymous().WithSummary("The site CA's root certificate (public): import it to trust the site's HTTPS names.");

        app.MapGet("/metrics", MetricsEndpoint.RenderAsync).RequireAuthorization(Policies.Viewer).WithSummary("Prometheus metrics (guests, runs, backups).");

        var v1 = app.MapGroup("/api/v1").RequireAuthorization(Policies.Viewer);
        // A request that may have changed the site (a run, a restore) answers only once the proxy routes as it now is.
        v1.AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            if (!HttpMethods.IsGet(context.HttpContext.Request.Method))
            {
                context.HttpContext.RequestServices.GetRequiredService<Proxy.ProxyServer>().Sync();
            }

            return result;
        });
        v1.MapGet("/modules", async (SiteSession site, CancellationToken ct) =>
            (await site.Store.ListModulesAsync(ct)).Select(m => new ModuleV1(m.Name, m.Revision, m.Status, m.UpdatedAt)))
            .WithSummary("The installed modules.");

        v1.MapGet("/modules/{name}", async (string name, SiteSession site, CancellationToken ct) =>
        {
            if (await site.Store.GetModuleAsync(name, ct) is not { } m)
            {
                return NotFound(name);
            }

            var runtime = new GuestRuntime(site.Layout.Root);
            var guests = runtime.GuestsOf(name).Select(g => (g, runtime.State(g), runtime.Spec(g)))
                .Select(t => new GuestV1(t.g, t.Item2?.Status ?? "absent", t.Item2?.Ready ?? false, t.Item3?.Isolation ?? "", t.Item3?.Address ?? "", t.Item2?.Restarts ?? 0, t.Item2?.Reason)).ToList();
            return Results.Ok(new ModuleDetailV1(m.Name, m.Revision, m.Status, m.UpdatedAt, JsonNode.Parse(m.Definition), guests));
        }).WithSummary("One installed module: its recorded definition (secret references, never values) and its guests.");

        v1.MapGet("/modules/{name}/history", async (string name, SiteSession site, CancellationToken ct) =>
        {
            var history = await site.Store.HistoryAsync(name, ct);
            return history.Count == 0 ? NotFound(name) : Results.Ok(history.Select(h => new RevisionV1(h.Revision, h.Reason, h.AppliedAt)));
        }).WithSummary("Every applied revision of a module.");

        v1.MapGet("/events", async (long? after, int? limit, SiteSession site, CancellationToken ct) =>
            (await site.Store.ReadEventsAsync(after ?? 0, Math.Clamp(limit ?? 100, 1, 1000), ct)).Select(e => new EventV1(e.Id, e.Module, e.Kind, e.Message, e.At)))
            .WithSummary("Events after an id, oldest first.");

        v1.MapGet("/events/stream", StreamEventsAsync).WithSummary("Server-sent events: every new event as it is recorded.");

        v1.MapPost("/modules/{name}/backup", async (string name, SiteSession site, CancellationToken ct) =>
            Backup(await new BackupService(site.Providers.Embedded, site.Store).BackupAsync(name, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Back up a module's disk now.");

        v1.MapPost("/modules/{name}/restore", async (string name, string? snapshot, SiteSession site, CancellationToken ct) =>
            Backup(await new BackupService(site.Providers.Embedded, site.Store).RestoreAsync(name, snapshot, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Restore a module's disk from a backup (default: the newest): its guests are held, the disk replaced, the guests released.");

        v1.MapGet("/backups", async (string? module, SiteSession site, CancellationToken ct) =>
        {
            try
            {
                var snapshots = await new BackupService(site.Providers.Embedded, site.Store).ListAsync(module, ct);
                return Results.Ok(snapshots.Select(s => new BackupV1(s.ShortId, s.Tags?.FirstOrDefault(t => t.StartsWith("module=", StringComparison.Ordinal))?["module=".Length..] ?? "?", s.Time)));
            }
            catch (ResticException ex)
            {
                return Results.Problem(statusCode: 502, title: "the backup repository cannot be read", detail: ex.Message);
            }
        }).WithSummary("The backups of every module, or of one (module=NAME), oldest first.");

        v1.MapPost("/modules/{name}/backup/verify", async (string name, SiteSession site, CancellationToken ct) =>
            Backup(await new BackupService(site.Providers.Embedded, site.Store).VerifyAsync(name, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Restore the newest backup into a scratch guest and check its health.");

        LifecycleEndpoints.Map(v1);
        SiteEndpoints.Map(v1);

        v1.MapPost("/tokens", (TokenRequestV1 request, TokenStore tokens) =>
        {
            if (!Enum.TryParse<TokenRole>(request.Role, ignoreCase: true, out var role) || string.IsNullOrWhiteSpace(request.Name))
            {
                return Results.Problem(statusCode: 400, title: "invalid token request",
                    detail: $"role \"{request.Role}\" is not viewer, operator or admin, or the name is empty; send {{\"name\": \"ci\", \"role\": \"operator\"}}");
            }

            return Results.Ok(new TokenCreatedV1(request.Name, role.ToString().ToLowerInvariant(), tokens.Create(request.Name, role)));
        }).RequireAuthorization(Policies.Admin).WithSummary("Create an API token (admin); its secret is returned once.");
    }

    private static IResult Backup(BackupOutcome o) =>
        o.Succeeded
            ? Results.Ok(new BackupResultV1(o.Module, true, o.Message, o.SnapshotId, o.Seconds))
            : Results.Problem(statusCode: 502, title: "backup operation failed", detail: o.Message, extensions: new Dictionary<string, object?> { ["module"] = o.Module });

    private static IResult NotFound(string name) =>
        Results.Problem(statusCode: 404, title: "no such module", detail: $"module \"{name}\" is not installed in this site; GET /api/v1/modules lists them");

    private static async Task StreamEventsAsync(HttpContext context, SiteSession site, long? after, CancellationToken ct)
    {
        var last = after ?? (await site.Store.ReadEventsAsync(0, int.MaxValue, ct)).LastOrDefault()?.Id ?? 0;
        await ServerSentEvents.StreamAsync(context, "tappaas events", TimeSpan.FromMilliseconds(250), async token =>
        {
            var events = await site.Store.ReadEventsAsync(last, 100, token);
            last = events.Count > 0 ? events[^1].Id : last;
            return events.Select(e => ServerSentEvents.Frame(e.Kind, new EventV1(e.Id, e.Module, e.Kind, e.Message, e.At), e.Id));
        }, ct);
    }
}
