namespace Tappaas.Client;

/// <summary>
/// The site's API, version 1, as one contract: implemented by <see cref="TappaasClient"/> (over HTTP, to a daemon) and
/// by the composition root's in-process adapter (over the site folder), so every command answers the same either way —
/// the same records, the same problems (RFC 9457 statuses), the same exit codes. Calls return a value or a problem, never
/// throw for either; streams end when the connection (or the caller) does.
/// </summary>
public interface ISiteApi
{
    /// <summary>Where the answers come from: the daemon's URL, or the site folder.</summary>
    string Origin { get; }

    Task<ApiResult<SiteStatusV1>> StatusAsync(CancellationToken ct);

    Task<ApiResult<List<ModuleV1>>> ModulesAsync(CancellationToken ct);

    Task<ApiResult<ModuleDetailV1>> ModuleAsync(string name, CancellationToken ct);

    Task<ApiResult<List<RevisionV1>>> HistoryAsync(string name, CancellationToken ct);

    Task<ApiResult<List<EventV1>>> EventsAsync(long after, int limit, CancellationToken ct);

    Task<ApiResult<List<ZoneV1>>> ZonesAsync(CancellationToken ct);

    Task<ApiResult<List<NodeV1>>> NodesAsync(CancellationToken ct);

    /// <summary>The site firewall as compiled from the zones and installed modules (GET /firewall).</summary>
    Task<ApiResult<FirewallV1>> FirewallAsync(CancellationToken ct);

    /// <summary>A module's revision with its applied definition (GET /modules/NAME/revisions/N).</summary>
    Task<ApiResult<RevisionDetailV1>> RevisionAsync(string name, int revision, CancellationToken ct);

    /// <summary>The modules the site's repositories offer (GET /catalog).</summary>
    Task<ApiResult<List<CatalogEntryV1>>> CatalogAsync(CancellationToken ct);

    Task<ApiResult<List<ProgressV1>>> JournalAsync(long run, CancellationToken ct);

    /// <summary>Guests' output after the given positions (all of it when null), optionally only lines newer than <paramref name="since"/>.</summary>
    Task<ApiResult<LogsV1>> LogsAsync(string name, DateTimeOffset? since, IReadOnlyDictionary<string, long>? after, CancellationToken ct);

    Task<ApiResult<ApplyResultV1>> InstallAsync(IReadOnlyList<string> modules, bool force, CancellationToken ct, HookOptionsV1? hooks = null, IReadOnlyList<ModuleUploadV1>? uploads = null);

    Task<ApiResult<ApplyResultV1>> UpdateAsync(string module, bool force, bool noSnapshot, CancellationToken ct, HookOptionsV1? hooks = null);

    Task<ApiResult<ApplyResultV1>> DeleteAsync(string module, bool remove, bool force, CancellationToken ct);

    Task<ApiResult<ApplyResultV1>> ScaleAsync(string module, int replicas, CancellationToken ct);

    Task<ApiResult<ApplyResultV1>> PromoteAsync(string module, CancellationToken ct);

    Task<ApiResult<ApplyResultV1>> RollbackAsync(string module, int? revision, CancellationToken ct);

    /// <summary>Runs every dependency's test and the module's own: pass, fail or fatal.</summary>
    Task<ApiResult<TestResultV1>> TestAsync(string module, TestRequestV1 request, CancellationToken ct);

    /// <summary>Plans installing or updating the modules (none: every installed one against its release), with the run that applies the plan.</summary>
    Task<ApiResult<PlanV1>> PlanAsync(IReadOnlyList<string> modules, CancellationToken ct, IReadOnlyList<ModuleUploadV1>? uploads = null);

    /// <summary>Runs a plan's run as planned; refused (412) when the site changed since the plan was made.</summary>
    Task<ApiResult<ApplyResultV1>> ApplyAsync(PlanV1 plan, CancellationToken ct);

    Task<ApiResult<BackupResultV1>> BackupAsync(string module, CancellationToken ct);

    /// <summary>Restores a module's disk (from the newest backup when <paramref name="snapshot"/> is null); with <paramref name="asName"/>, beside it as a new module of that name.</summary>
    Task<ApiResult<BackupResultV1>> RestoreAsync(string module, string? snapshot, CancellationToken ct, string? asName = null);

    /// <summary>Each module's last backup and verification.</summary>
    Task<ApiResult<List<BackupStatusV1>>> BackupStatusAsync(CancellationToken ct);

    Task<ApiResult<List<BackupV1>>> BackupsAsync(string? module, CancellationToken ct);

    Task<ApiResult<BackupResultV1>> VerifyAsync(string module, CancellationToken ct);

    /// <summary>Records the modules of an upstream config folder on the daemon's host in this site (runs nothing).</summary>
    Task<ApiResult<ApplyResultV1>> ImportAsync(string folder, CancellationToken ct);

    /// <summary>Writes the site's configuration, zones and installed modules to a folder on the daemon's host in the upstream layout.</summary>
    Task<ApiResult<ExportResultV1>> ExportAsync(string folder, CancellationToken ct);

    /// <summary>Moves a module's VM to another node (Proxmox VE with cluster:ha), keeping its HA rule.</summary>
    Task<ApiResult<MigrationV1>> MigrateAsync(string module, string? node, CancellationToken ct);

    /// <summary>Moves every module VM that has a second node off <paramref name="node"/>.</summary>
    Task<ApiResult<List<MigrationV1>>> EvacuateAsync(string node, CancellationToken ct);

    /// <summary>The names of the site's secrets (never their values).</summary>
    Task<ApiResult<List<string>>> SecretsAsync(CancellationToken ct);

    /// <summary>Checks credentials with an OCI registry and keeps them for pulls (in the site's secret store; never printed).</summary>
    Task<ApiResult<bool>> RegistryLoginAsync(RegistryLoginV1 login, CancellationToken ct);

    /// <summary>Forgets the credentials of a registry.</summary>
    Task<ApiResult<bool>> RegistryLogoutAsync(string registry, CancellationToken ct);

    /// <summary>The images in the site's store, with size and the revisions that use them.</summary>
    Task<ApiResult<List<ImageV1>>> ImagesAsync(CancellationToken ct);

    /// <summary>Removes the images no revision within the retention and no guest uses; returns their digests.</summary>
    Task<ApiResult<List<string>>> PruneImagesAsync(CancellationToken ct);

    /// <summary>Stores a secret.</summary>
    Task<ApiResult<bool>> SetSecretAsync(string name, string value, CancellationToken ct);

    /// <summary>Removes a secret (404 when there is none of that name).</summary>
    Task<ApiResult<bool>> RemoveSecretAsync(string name, CancellationToken ct);

    /// <summary>Finishes a run a crash interrupted (resuming it or completing its rollback); status "nothing" when there was none.</summary>
    Task<ApiResult<ApplyResultV1>> ResumeAsync(CancellationToken ct);

    /// <summary>Backs up the site itself (state store, config folder, CA, secrets, module repository) into its backup repository; 502 with the reason when it fails.</summary>
    Task<ApiResult<BackupResultV1>> BackupSiteAsync(CancellationToken ct);

    /// <summary>Runs the backups and verifies whose schedule came due; one result each (failed ones with Succeeded false).</summary>
    Task<ApiResult<List<BackupResultV1>>> RunDueBackupsAsync(CancellationToken ct);

    /// <summary>New events as they are recorded; null when they cannot be watched.</summary>
    Task<IAsyncEnumerable<EventV1>?> OpenEventsAsync(long? after, CancellationToken ct);

    /// <summary>The steps of runs running now or started from now on; once this returns, no step of a later run is missed.</summary>
    Task<IAsyncEnumerable<ProgressV1>?> OpenProgressAsync(CancellationToken ct);
}
