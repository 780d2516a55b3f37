using Tappaas.Client;
using Tappaas.Composition;
using Tappaas.Daemon.Security;

namespace Tappaas.Daemon.Api;

/// <summary>
/// The routes of API version 1: HTTP over <see cref="SiteApi"/>, which answers them (the CLI's in-process mode asks the
/// same object), so a route here only reads its parameters, checks the caller's role and turns the answer into a status.
/// </summary>
internal static class Endpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/health", (SiteSession site, TimeProvider time) => new HealthV1("ok", site.Layout.Root, time.GetUtcNow()))
            .AllowAnonymous().WithSummary("Liveness of the daemon (no token needed).");

        app.MapGet("/api/v1/ca.crt", (Proxy.SiteCertificateAuthority ca) => Results.Text(ca.RootPem, "application/x-pem-file"))
            .AllowAnonymous().WithSummary("The site CA's root certificate (public): import it to trust the site's HTTPS names.");

        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(Policies.Viewer).WithSummary("Prometheus metrics (guests, runs, proxy, backups).");

        var v1 = app.MapGroup("/api/v1").RequireAuthorization(Policies.Viewer);
        v1.AddEndpointFilter(RequestProblems.RequireFields);
        // A request that may have changed the site (a run, a restore) answers only once the proxy routes as it now is.
        v1.AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            if (!HttpMethods.IsGet(context.HttpContext.Request.Method))
            {
                await context.HttpContext.RequestServices.GetRequiredService<Proxy.ProxyProcess>().SyncAsync(context.HttpContext.RequestAborted);
            }

            return result;
        });

        v1.MapGet("/status", async (HttpContext context, StatusCache status, CancellationToken ct) => (await status.ReadAsync(ct)).For(context))
            .Produces<SiteStatusV1>().WithSummary("The site at a glance: modules, recent runs, the lock holder and every guest's health.");
        v1.MapGet("/modules", async (SiteApi api, CancellationToken ct) => Http(await api.ModulesAsync(ct))).WithSummary("The installed modules.");
        v1.MapGet("/modules/{name}", async (string name, SiteApi api, CancellationToken ct) => Http(await api.ModuleAsync(name, ct)))
            .WithSummary("One installed module: its recorded definition (secret references, never values) and its guests.");
        v1.MapGet("/modules/{name}/history", async (string name, SiteApi api, CancellationToken ct) => Http(await api.HistoryAsync(name, ct)))
            .WithSummary("Every applied revision of a module.");
        v1.MapGet("/modules/{name}/revisions/{revision:int}", async (string name, int revision, SiteApi api, CancellationToken ct) => Http(await api.RevisionAsync(name, revision, ct)))
            .WithSummary("One revision of a module: the definition that was applied.");
        v1.MapGet("/events", async (long? after, int? limit, SiteApi api, CancellationToken ct) => Http(await api.EventsAsync(after ?? 0, limit ?? 100, ct)))
            .WithSummary("Events after an id, oldest first.");
        v1.MapGet("/events/stream", async (HttpContext context, long? after, SiteApi api, CancellationToken ct) =>
            await ServerSentEvents.StreamAsync(context, "tappaas events", (await api.OpenEventsAsync(after, ct))!, e => ServerSentEvents.Frame(e.Kind, e, e.Id), ct))
            .WithSummary("Server-sent events: every new event as it is recorded.");
        v1.MapGet("/zones", async (SiteApi api, CancellationToken ct) => Http(await api.ZonesAsync(ct))).WithSummary("The site's network zones (zones.json).");
        v1.MapGet("/firewall", async (SiteApi api, CancellationToken ct) => Http(await api.FirewallAsync(ct)))
            .WithSummary("The site firewall as compiled from its zones and installed modules: pass rules with why, port forwards, declaration problems.");
        v1.MapGet("/catalog", async (SiteApi api, CancellationToken ct) => Http(await api.CatalogAsync(ct)))
            .WithSummary("The modules the site's repositories offer: version, description, installed revision, or why a file cannot be read.");
        v1.MapGet("/nodes", async (SiteApi api, CancellationToken ct) => Http(await api.NodesAsync(ct))).WithSummary("The nodes guests run on: Proxmox VE's when the site uses it, else the configured nodes with this host's figures.");
        v1.MapGet("/modules/{name}/logs", async (string name, string? since, string[]? after, SiteApi api, TimeProvider time, CancellationToken ct) =>
        {
            var (from, error) = ModuleLogs.ParseSince(since, time.GetUtcNow());
            if (error is not null)
            {
                return Problem(400, ApiProblem.InvalidRequest, error);
            }

            var positions = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var a in after ?? [])
            {
                var colon = a.LastIndexOf(':');
                if (colon <= 0 || !long.TryParse(a[(colon + 1)..], out var position))
                {
                    return Problem(400, ApiProblem.InvalidRequest, $"after={a}: write GUEST:POSITION, as a previous answer's next positions");
                }

                positions[a[..colon]] = position;
            }

            return Http(await api.LogsAsync(name, from, positions, ct));
        }).WithSummary("What a module's guests printed; pass the answer's positions back as after=GUEST:POSITION to follow.");
        v1.MapGet("/runs/{id:long}/journal", async (long id, SiteApi api, CancellationToken ct) => Http(await api.JournalAsync(id, ct))).WithSummary("Every journalled step of a run.");
        v1.MapGet("/runs/progress", async (HttpContext context, SiteApi api, CancellationToken ct) =>
            await ServerSentEvents.StreamAsync(context, "tappaas progress", (await api.OpenProgressAsync(ct))!, s => ServerSentEvents.Frame("step", s), ct))
            .WithSummary("Server-sent events: the steps of runs that start or are running, as they are journalled.");

        v1.MapPost("/install", async (InstallRequestV1 request, SiteApi api, CancellationToken ct) =>
            Http(await api.InstallAsync(request.Modules, request.Force, ct, new HookOptionsV1(request.Debug, request.Silent), request.Uploads)))
            .RequireAuthorization(Policies.Operator).WithSummary("Install modules in one run, in dependency order: names in the site's repositories, and module folders sent in uploads.");
        v1.MapPost("/modules/{name}/install", async (string name, bool? force, SiteApi api, CancellationToken ct) => Http(await api.InstallAsync([name], force ?? false, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Install a module found in the site's repositories (its dependencies must be installed).");
        v1.MapPost("/modules/{name}/update", async (string name, bool? force, bool? noSnapshot, bool? debug, bool? silent, SiteApi api, CancellationToken ct) =>
            Http(await api.UpdateAsync(name, force ?? false, noSnapshot ?? false, ct, new HookOptionsV1(debug ?? false, silent ?? false))))
            .RequireAuthorization(Policies.Operator).WithSummary("Update an installed module from its release; a failing step rolls back.");
        v1.MapPost("/modules/{name}/scale", async (string name, ScaleRequestV1 request, SiteApi api, CancellationToken ct) => Http(await api.ScaleAsync(name, request.Replicas, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Run a number of replicas of a module's workload.");
        v1.MapPost("/modules/{name}/promote", async (string name, SiteApi api, CancellationToken ct) => Http(await api.PromoteAsync(name, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Promote an update's canaries: the remaining old guests are replaced (rolling).");
        v1.MapPost("/modules/{name}/rollback", async (string name, RollbackRequestV1? request, SiteApi api, CancellationToken ct) => Http(await api.RollbackAsync(name, request?.Revision, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Re-apply an earlier revision (default: the previous one) as a new revision.");
        v1.MapPost("/modules/{name}/test", async (string name, TestRequestV1? request, SiteApi api, CancellationToken ct) => Http(await api.TestAsync(name, request ?? new TestRequestV1(), ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Run every dependency's test and the module's own (ok, failed or fatal).");
        v1.MapDelete("/modules/{name}", async (string name, bool? remove, bool? force, SiteApi api, CancellationToken ct) => Http(await api.DeleteAsync(name, remove ?? false, force ?? false, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Delete a module (archived unless remove=true; force=true even while others depend on it).");
        v1.MapPost("/plan", async (PlanRequestV1 request, SiteApi api, CancellationToken ct) => Http(await api.PlanAsync(request.Modules, ct, request.Uploads)))
            .WithSummary("Plan installing or updating modules, without changing anything.");
        v1.MapPost("/apply", async (ApplyRequestV1 request, SiteApi api, CancellationToken ct) => Http(await api.ApplyAsync(new PlanV1(request.StateRevision, [], Run: request.Run), ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Apply a saved plan's run as planned; 412 when the site has changed since the plan was made.");

        v1.MapPost("/modules/{name}/backup", async (string name, SiteApi api, CancellationToken ct) => Http(await api.BackupAsync(name, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Back up a module's disk now.");
        v1.MapPost("/modules/{name}/restore", async (string name, string? snapshot, string? @as, SiteApi api, CancellationToken ct) => Http(await api.RestoreAsync(name, snapshot, ct, @as)))
            .RequireAuthorization(Policies.Operator).WithSummary("Restore a module's disk from a backup (default: the newest): its guests are held, the disk replaced, the guests released; as=NAME restores it beside the original as a new module.");
        v1.MapGet("/backups/status", async (SiteApi api, CancellationToken ct) => Http(await api.BackupStatusAsync(ct)))
            .WithSummary("Each module's last backup and restore verification.");
        v1.MapGet("/backups", async (string? module, SiteApi api, CancellationToken ct) => Http(await api.BackupsAsync(module, ct)))
            .WithSummary("The backups of every module, or of one (module=NAME), oldest first.");
        v1.MapPost("/modules/{name}/backup/verify", async (string name, SiteApi api, CancellationToken ct) => Http(await api.VerifyAsync(name, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Restore the newest backup into a scratch guest and check its health.");

        v1.MapPost("/resume", async (SiteApi api, CancellationToken ct) => Http(await api.ResumeAsync(ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Finish a run a crash interrupted (status \"nothing\" when there is none).");
        v1.MapPost("/site/backup", async (SiteApi api, CancellationToken ct) => Http(await api.BackupSiteAsync(ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Back up the site itself (state store, config folder, CA, secrets, module repository) into its backup repository.");
        v1.MapPost("/backups/run-due", async (SiteApi api, CancellationToken ct) => Http(await api.RunDueBackupsAsync(ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Run the backups and verifies whose schedule came due (for cron beside the daemon).");
        v1.MapPost("/import", async (FolderRequestV1 request, SiteApi api, CancellationToken ct) => Http(await api.ImportAsync(request.Folder, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Record the modules of an upstream config folder on this host in the site (runs nothing).");
        v1.MapPost("/export", async (FolderRequestV1 request, SiteApi api, CancellationToken ct) => Http(await api.ExportAsync(request.Folder, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Write the site in the upstream config folder layout to a folder on this host.");
        v1.MapPost("/modules/{name}/migrate", async (string name, MigrateRequestV1? request, SiteApi api, CancellationToken ct) => Http(await api.MigrateAsync(name, request?.Node, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Move a module's VM to another node (Proxmox VE, cluster:ha), keeping its HA rule.");
        v1.MapPost("/nodes/{node}/evacuate", async (string node, SiteApi api, CancellationToken ct) => Http(await api.EvacuateAsync(node, ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Move every module VM with a second node off a node (before maintenance).");
        v1.MapPost("/registries/login", async (RegistryLoginV1 login, SiteApi api, CancellationToken ct) => Http(await api.RegistryLoginAsync(login, ct)))
            .RequireAuthorization(Policies.Admin).WithSummary("Check credentials with an OCI registry and keep them for pulls (never shown again).");
        v1.MapDelete("/registries/{registry}", async (string registry, SiteApi api, CancellationToken ct) => Http(await api.RegistryLogoutAsync(registry, ct)))
            .RequireAuthorization(Policies.Admin).WithSummary("Forget the credentials of an OCI registry.");
        v1.MapGet("/images", async (SiteApi api, CancellationToken ct) => Http(await api.ImagesAsync(ct)))
            .RequireAuthorization(Policies.Viewer).WithSummary("The images in the site's store, with size and the revisions that use them.");
        v1.MapPost("/images/prune", async (SiteApi api, CancellationToken ct) => Http(await api.PruneImagesAsync(ct)))
            .RequireAuthorization(Policies.Operator).WithSummary("Remove the images no revision within the retention and no guest uses.");
        v1.MapGet("/secrets", async (SiteApi api, CancellationToken ct) => Http(await api.SecretsAsync(ct)))
            .RequireAuthorization(Policies.Admin).WithSummary("The names of the site's secrets (never their values).");
        v1.MapPut("/secrets/{name}", async (string name, SecretRequestV1 request, SiteApi api, CancellationToken ct) => Http(await api.SetSecretAsync(name, request.Value, ct)))
            .RequireAuthorization(Policies.Admin).WithSummary("Store a secret, referred to as ${secret:NAME} in a workload's env.");
        v1.MapDelete("/secrets/{name}", async (string name, SiteApi api, CancellationToken ct) => Http(await api.RemoveSecretAsync(name, ct)))
            .RequireAuthorization(Policies.Admin).WithSummary("Remove a secret.");

        v1.MapPost("/tokens", (TokenRequestV1 request, TokenStore tokens) =>
        {
            if (!Enum.TryParse<TokenRole>(request.Role, ignoreCase: true, out var role) || int.TryParse(request.Role, out _))
            {
                return Problem(400, "invalid token request", $"role \"{request.Role}\" is not viewer, operator or admin; send {{\"name\": \"ci\", \"role\": \"operator\"}}");
            }

            if (TokenStore.NameProblem(request.Name) is { } badName)
            {
                return Problem(400, "invalid token request", badName);
            }

            TimeSpan? lifetime = null;
            if (request.ExpiresIn is { } expiresIn && (lifetime = TokenStore.ParseLifetime(expiresIn)) is null)
            {
                return Problem(400, "invalid token request", $"expiresIn \"{expiresIn}\" is not a lifetime in hours or days: write e.g. 12h or 90d");
            }

            var secret = tokens.Create(request.Name, role, lifetime);
            return Results.Ok(new TokenCreatedV1(request.Name, role.ToString().ToLowerInvariant(), secret, tokens.List().First(t => t.Name == request.Name).ExpiresAt));
        }).RequireAuthorization(Policies.Admin).WithSummary("Create an API token (admin); its secret is returned once. A token of the same name is replaced.");
        v1.MapGet("/tokens", (TokenStore tokens, TimeProvider time) =>
            tokens.List().Select(t => new TokenV1(t.Name, t.Role.ToString().ToLowerInvariant(), t.CreatedAt, t.ExpiresAt, t.ExpiredAt(time.GetUtcNow()))).ToList())
            .RequireAuthorization(Policies.Admin).WithSummary("The API tokens: name, role, when made and when they expire (never a secret).");
        v1.MapDelete("/tokens/{name}", (string name, TokenStore tokens) => tokens.Revoke(name) is { } problem
            ? Problem(problem.StartsWith("there is no", StringComparison.Ordinal) ? 404 : 409, "token not revoked", problem)
            : Results.Ok(true))
            .RequireAuthorization(Policies.Admin).WithSummary("Revoke an API token at once (not the last admin token).");
    }

    /// <summary>An answer of the API as HTTP: 200 with the value, or its problem (RFC 9457) with the run and diagnostics.</summary>
    internal static IResult Http<T>(ApiResult<T> answer) => answer.Problem is { } p
        ? Results.Problem(statusCode: p.Status, title: p.Title, detail: p.Detail, extensions: new Dictionary<string, object?>
        {
            ["runId"] = p.RunId,
            ["diagnostics"] = p.Diagnostics,
        })
        : Results.Ok(answer.Value);

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);
}
