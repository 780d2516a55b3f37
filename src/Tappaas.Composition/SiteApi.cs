using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tappaas.Abstractions.Backups;
using Tappaas.Abstractions.Guests;
using Tappaas.Abstractions.Providers;
using Tappaas.Client;
using Tappaas.Engine;
using Tappaas.Engine.Apply;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Site;
using Tappaas.IO;

namespace Tappaas.Composition;

/// <summary>
/// The site's API version 1 over a <see cref="SiteSession"/>: what every endpoint of the daemon answers (the daemon
/// serves these answers over HTTP) and what the CLI gets when it opens the site in-process — one implementation, so both
/// ways give the same records, problems and exit codes. Engine outcomes map to RFC 9457 statuses: 400 an invalid
/// definition or request, 404 an unknown module or release, 409 the site is locked, 412 a stale plan, 502 a failed step
/// (rolled back).
/// </summary>
public sealed partial class SiteApi(SiteSession site, ModuleArguments arguments) : ISiteApi
{
    // A plan's run, as the engine journals it (it goes out inside a PlanV1 and comes back unchanged).

    public string Origin => site.Layout.Root;

    public async Task<ApiResult<SiteStatusV1>> StatusAsync(CancellationToken ct) => Ok(await SiteStatusReport.ReadAsync(site, ct));

    public async Task<ApiResult<List<ModuleV1>>> ModulesAsync(CancellationToken ct) =>
        Ok((await site.Store.ListModulesAsync(ct)).Select(m => new ModuleV1(m.Name, m.Revision, m.Status, m.UpdatedAt)).ToList());

    public async Task<ApiResult<ModuleDetailV1>> ModuleAsync(string name, CancellationToken ct)
    {
        if (await site.Store.GetModuleAsync(name, ct) is not { } m)
        {
            return NotInstalled(name);
        }

        var guests = site.Guests().Where(g => g.Module == name).OrderBy(g => g.Guest, StringComparer.Ordinal)
            .Select(g => new GuestV1(g.Guest, g.Status.Text(), g.Ready, g.Isolation, g.Address, g.Restarts, g.Reason)).ToList();
        return Ok(new ModuleDetailV1(m.Name, m.Revision, m.Status, m.UpdatedAt, JsonNode.Parse(m.Definition), guests));
    }

    public async Task<ApiResult<List<RevisionV1>>> HistoryAsync(string name, CancellationToken ct)
    {
        var history = await site.Store.HistoryAsync(name, ct);
        return history.Count == 0 ? NotInstalled(name) : Ok(history.Select(h => new RevisionV1(h.Revision, h.Reason, h.AppliedAt, SiteImages.ImageOf(h.Definition))).ToList());
    }

    /// <summary>One revision of a module: the definition that was applied, as recorded.</summary>
    public async Task<ApiResult<RevisionDetailV1>> RevisionAsync(string name, int revision, CancellationToken ct)
    {
        var history = await site.Store.HistoryAsync(name, ct);
        if (history.Count == 0)
        {
            return NotInstalled(name);
        }

        return history.FirstOrDefault(h => h.Revision == revision) is { } r
            ? Ok(new RevisionDetailV1(r.Revision, r.Reason, r.AppliedAt, JsonNode.Parse(r.Definition)))
            : Problem(404, "no such revision", $"module \"{name}\" has revisions {string.Join(", ", history.Select(h => h.Revision))}, not {revision}; 'tappaas history {name}' lists them");
    }

    public async Task<ApiResult<List<EventV1>>> EventsAsync(long after, int limit, CancellationToken ct) =>
        Ok((await site.Store.ReadEventsAsync(after, Math.Clamp(limit, 1, 1000), ct)).Select(Event).ToList());

    /// <summary>A module's newest events, newest first (at most 1000).</summary>
    public async Task<ApiResult<List<EventV1>>> ModuleEventsAsync(string name, int limit, CancellationToken ct) =>
        Ok((await site.Store.ReadLatestEventsAsync(name, Math.Clamp(limit, 1, 1000), ct)).Select(Event).ToList());

    public Task<ApiResult<List<ZoneV1>>> ZonesAsync(CancellationToken ct) =>
        Task.FromResult(Ok((SiteSnapshot.Read(site.Layout.ConfigDir).Zones?.Zones ?? []).Select(z =>
            new ZoneV1(z.Name, z.Type ?? "", z.State?.ToString() ?? "", z.VlanTag, z.Ip, z.AccessTo)).ToList()));


    public async Task<ApiResult<List<ProgressV1>>> JournalAsync(long run, CancellationToken ct)
    {
        var record = (await site.Store.ListAppliesAsync(int.MaxValue, ct)).FirstOrDefault(r => r.Id == run);
        return record is null
            ? Problem(404, "no such run", $"run {run} is not in this site's journal; GET /api/v1/status lists recent runs")
            : Ok((await site.Store.ReadJournalAsync(run, ct)).Select(e => new ProgressV1(run, record.Command, e.Step, e.Address, e.Phase, e.Detail, e.At)).ToList());
    }

    public Task<ApiResult<LogsV1>> LogsAsync(string name, DateTimeOffset? since, IReadOnlyDictionary<string, long>? after, CancellationToken ct)
    {
        if (ModuleLogs.Files(site.Layout.Root, name).Count == 0)
        {
            return Task.FromResult<ApiResult<LogsV1>>(Problem(404, "no such module", $"module \"{name}\" has no guests with logs in this site"));
        }

        var (lines, next) = ModuleLogs.Read(site.Layout.Root, name, since, after);
        return Task.FromResult(Ok(new LogsV1(name, lines, next)));
    }

    public async Task<ApiResult<ApplyResultV1>> InstallAsync(IReadOnlyList<string> modules, bool force, CancellationToken ct, HookOptionsV1? hooks = null,
        IReadOnlyList<ModuleUploadV1>? uploads = null)
    {
        var (sources, problem) = Locate(modules, uploads);
        return problem ?? Outcome(await site.Engine.InstallAsync(sources!, new EngineOptions { Force = force, Flags = Flags(hooks) }, ct));
    }

    public async Task<ApiResult<ApplyResultV1>> UpdateAsync(string module, bool force, bool noSnapshot, CancellationToken ct, HookOptionsV1? hooks = null) =>
        Outcome(await site.Engine.UpdateAsync(module, new EngineOptions { Force = force, NoSnapshot = noSnapshot, Flags = Flags(hooks) }, ct));

    public async Task<ApiResult<ApplyResultV1>> DeleteAsync(string module, bool remove, bool force, CancellationToken ct) =>
        Outcome(await site.Engine.DeleteAsync(module, new EngineOptions { Archive = !remove, Force = force }, ct));

    public async Task<ApiResult<ApplyResultV1>> ScaleAsync(string module, int replicas, CancellationToken ct) =>
        Outcome(await site.Engine.ScaleAsync(module, replicas, new EngineOptions(), ct));

    public async Task<ApiResult<ApplyResultV1>> PromoteAsync(string module, CancellationToken ct) =>
        Outcome(await site.Engine.PromoteAsync(module, new EngineOptions(), ct));

    public async Task<ApiResult<ApplyResultV1>> RollbackAsync(string module, int? revision, CancellationToken ct) =>
        Outcome(await site.Engine.RollbackAsync(module, revision, new EngineOptions(), ct));

    public async Task<ApiResult<TestResultV1>> TestAsync(string module, TestRequestV1 request, CancellationToken ct)
    {
        if (await site.Store.GetModuleAsync(module, ct) is null)
        {
            return NotInstalled(module);
        }

        var flags = Flags(new HookOptionsV1(request.Debug, request.Silent)) with { TestDeep = request.Deep, VmIdOverride = request.VmId, Zone0Override = request.Zone0 };
        var r = await site.Engine.TestAsync(module, flags, ct);
        return Ok(new TestResultV1(module, r.Status switch { OperationStatus.Ok => "ok", OperationStatus.Failed => "failed", _ => "fatal" }, r.Output,
            [.. r.Diagnostics.Select(ToV1)]));
    }

    public async Task<ApiResult<PlanV1>> PlanAsync(IReadOnlyList<string> modules, CancellationToken ct, IReadOnlyList<ModuleUploadV1>? uploads = null)
    {
        var (sources, problem) = Locate(modules, uploads, allowNone: true);
        if (problem is { } p)
        {
            return p;
        }

        var (plan, run, diagnostics) = await site.Engine.PlanAsync(sources!, ct);
        return plan is null || run is null
            ? new ApiProblem(400, "invalid definition", string.Join("; ", diagnostics.Where(d => d.Severity == Severity.Error).Select(d => d.Message)), [.. diagnostics.Select(ToV1)], null)
            : Ok(new PlanV1(plan.StateRevision,
                [.. plan.Changes.Select(c => new PlannedChangeV1(c.Address, c.Action.ToString().ToLowerInvariant(), c.Reasons, c.Module, c.Service?.ToString()))],
                [.. diagnostics.Select(ToV1)],
                [.. run.Steps.Select(s => new PlannedStepV1(s.Index, s.Address, s.Reason))],
                JsonSerializer.SerializeToElement(run, EngineJson.Default.ApplyPayload)));
    }

    public async Task<ApiResult<ApplyResultV1>> ApplyAsync(PlanV1 plan, CancellationToken ct)
    {
        ApplyPayload? run;
        try
        {
            run = plan.Run is { } element ? element.Deserialize(EngineJson.Default.ApplyPayload) : null;
        }
        catch (JsonException ex)
        {
            return Problem(400, ApiProblem.InvalidRequest, $"run: not the run of a saved plan ({ex.Message}); make the plan again with 'tappaas plan --out FILE'");
        }

        if (run is null)
        {
            return Problem(400, ApiProblem.InvalidRequest, "run: the plan carries no run to apply; save one with 'tappaas plan --out FILE'");
        }

        if (run.StateRevision != plan.StateRevision)
        {
            return Problem(400, ApiProblem.InvalidRequest, $"stateRevision: {plan.StateRevision} is not the revision the plan's run was made from ({run.StateRevision})");
        }

        if (!arguments.AllowHostPaths && await ForeignFolderAsync(run, ct) is { } foreign)
        {
            return Problem(400, ApiProblem.InvalidRequest, foreign);
        }

        return Outcome(await site.Engine.ApplyPlanAsync(run, new EngineOptions(), ct));
    }

    public async Task<ApiResult<BackupResultV1>> BackupAsync(string module, CancellationToken ct) =>
        await Installed(module, ct) is { } missing ? missing : Backup(await site.Backups.BackupAsync(module, ct));

    public async Task<ApiResult<BackupResultV1>> RestoreAsync(string module, string? snapshot, CancellationToken ct, string? asName = null) =>
        await Installed(module, ct) is { } missing ? missing
            : asName is null ? Backup(await site.Backups.RestoreAsync(module, snapshot, ct))
            : await RestoreAsNewAsync(module, snapshot, asName, ct);

    public Task<ApiResult<List<BackupStatusV1>>> BackupStatusAsync(CancellationToken ct) =>
        Task.FromResult(Ok(site.Backups.Status().OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new BackupStatusV1(kv.Key, Outcome(kv.Value.LastBackup), Outcome(kv.Value.LastVerify), kv.Value.BackupFailures, kv.Value.VerifyFailures)).ToList()));

    public async Task<ApiResult<BackupResultV1>> VerifyAsync(string module, CancellationToken ct) =>
        await Installed(module, ct) is { } missing ? missing : Backup(await site.Backups.VerifyAsync(module, ct));

    public async Task<ApiResult<List<BackupV1>>> BackupsAsync(string? module, CancellationToken ct)
    {
        try
        {
            return Ok((await site.Backups.ListAsync(module, ct)).Select(s => new BackupV1(s.ShortId, s.Module, s.Time)).ToList());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Problem(502, "the backup repository cannot be read", ex.Message);
        }
    }

    public async Task<IAsyncEnumerable<EventV1>?> OpenEventsAsync(long? after, CancellationToken ct)
    {
        // The boundary is fixed now: an event recorded once this returns is delivered.
        var from = after ?? (await site.Store.ReadLatestEventsAsync(null, 1, ct)).FirstOrDefault()?.Id ?? 0;
        return WatchEvents(from, ct);
    }

    public async Task<IAsyncEnumerable<ProgressV1>?> OpenProgressAsync(CancellationToken ct)
    {
        // Runs already finished are history; follow the running one and every later one. The caller may start a run as
        // soon as this returns, so the boundary is fixed now.
        var finishedBefore = (await site.Store.ListAppliesAsync(1, ct)).FirstOrDefault() is { } latest ? (latest.Status == "running" ? latest.Id - 1 : latest.Id) : 0;
        return WatchProgress(finishedBefore, ct);
    }

    /// <summary>Events after <paramref name="after"/>, oldest first, as they are recorded (the store is read every quarter second).</summary>
    private async IAsyncEnumerable<EventV1> WatchEvents(long after, [EnumeratorCancellation] CancellationToken ct)
    {
        var last = after;
        while (!ct.IsCancellationRequested)
        {
            var events = await site.Store.ReadEventsAsync(last, 100, ct);
            foreach (var e in events)
            {
                last = e.Id;
                yield return Event(e);
            }

            if (!await Wait(TimeSpan.FromMilliseconds(250), ct))
            {
                yield break;
            }
        }
    }

    /// <summary>The steps of runs after <paramref name="finishedBefore"/>, as they are journalled (read every tenth of a second).</summary>
    public async IAsyncEnumerable<ProgressV1> WatchProgress(long finishedBefore, [EnumeratorCancellation] CancellationToken ct)
    {
        var sent = new Dictionary<long, int>();
        var complete = new HashSet<long>(); // finished when their journal was read: nothing more will come
        while (!ct.IsCancellationRequested)
        {
            foreach (var run in (await site.Store.ListAppliesAsync(5, ct)).Where(r => r.Id > finishedBefore && !complete.Contains(r.Id)).OrderBy(r => r.Id))
            {
                var entries = await site.Store.ReadJournalAsync(run.Id, ct);
                foreach (var e in entries.Skip(sent.GetValueOrDefault(run.Id)))
                {
                    yield return new ProgressV1(run.Id, run.Command, e.Step, e.Address, e.Phase, e.Detail, e.At);
                }

                sent[run.Id] = entries.Count;
                if (run.Status != "running")
                {
                    complete.Add(run.Id);
                }
            }

            if (!await Wait(TimeSpan.FromMilliseconds(100), ct))
            {
                yield break;
            }
        }
    }

    /// <summary>An engine outcome as the API answers it: the result, or a problem with the status that says what kind.</summary>
    public static ApiResult<ApplyResultV1> Outcome(ApplyOutcome outcome)
    {
        var result = new ApplyResultV1(outcome.Status.ToString(), outcome.ApplyId, [.. outcome.Diagnostics.Select(ToV1)]);
        if (outcome.Status is ApplyStatus.Succeeded or ApplyStatus.SucceededWithWarnings)
        {
            return Ok(result);
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
        return new ApiProblem(status, title, first is null ? null : $"{first.Message}{(first.Hint.Length > 0 ? " — " + first.Hint : "")}", result.Diagnostics, outcome.ApplyId);
    }

    public static DiagnosticV1 ToV1(Diagnostic d) =>
        new(d.Severity.ToString().ToLowerInvariant(), d.Code, d.Message, d.Hint, d.Location?.File, d.Location?.Line, d.Location?.Column, d.Location?.JsonPath);

    private (List<Engine.ModuleSource>? Sources, ApiProblem? Problem) Locate(IReadOnlyList<string> modules, IReadOnlyList<ModuleUploadV1>? uploads, bool allowNone = false)
    {
        if (modules is not { Count: > 0 } && uploads is not { Count: > 0 } && !allowNone)
        {
            return (null, new ApiProblem(400, ApiProblem.InvalidRequest, "name at least one module: {\"modules\": [\"app\"]}", [], null));
        }

        var sources = new List<Engine.ModuleSource>();
        for (var i = 0; i < (modules?.Count ?? 0); i++)
        {
            var m = modules![i];
            if (!arguments.AllowHostPaths && ModuleNames.Problem(m, $"modules[{i}]") is { } bad)
            {
                // Over the API a module is a name: never a path of the daemon's host, never joined into one unchecked.
                return (null, new ApiProblem(400, ApiProblem.InvalidRequest,
                    $"{bad}; the API takes names of modules in the site's repositories, or a module's folder sent in \"uploads\"", [], null));
            }

            var (source, problem) = arguments.AllowHostPaths ? ModuleLocator.Find(m, site.Engine) : ModuleLocator.FindByName(m, site.Engine);
            if (source is null)
            {
                return (null, new ApiProblem(404, ApiProblem.NoRelease, problem, [], null));
            }

            sources.Add(source);
        }

        for (var i = 0; i < (uploads?.Count ?? 0); i++)
        {
            var (source, problem) = ModuleUploads.Store(uploads![i], $"uploads[{i}]", site.Layout);
            if (source is null)
            {
                return (null, new ApiProblem(400, ApiProblem.InvalidRequest, problem, [], null));
            }

            sources.Add(source);
        }

        return (sources, null);
    }

    /// <summary>
    /// Why a saved plan's run names a module or folder the API would not have taken, or null: every module's folder (and recorded
    /// location) lies in the site's repositories, its uploads or its config folder, or is where an installed module already is.
    /// </summary>
    private async Task<string?> ForeignFolderAsync(ApplyPayload run, CancellationToken ct)
    {
        if (run.Definitions.Keys.Concat(run.Previous.Keys).Concat(run.Folders.Keys).Select(m => ModuleNames.Problem(m, "run: module")).FirstOrDefault(p => p is not null) is { } badName)
        {
            return $"{badName}; make the plan through this API ('tappaas plan --out FILE')";
        }

        var roots = ModuleLocator.ReadRepositoryPaths(site.Layout).Append(ModuleUploads.Root(site.Layout)).Append(site.Layout.ConfigDir)
            .Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r))).ToList();
        var installed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in await site.Store.ListModulesAsync(ct))
        {
            if (site.Engine.InstalledCopy(record).Text("location") is { Length: > 0 } at && !at.Contains('\0', StringComparison.Ordinal))
            {
                installed.Add(Path.TrimEndingDirectorySeparator(Path.GetFullPath(at)));
            }
        }

        var folders = run.Folders.Select(kv => (kv.Key, kv.Value, "folders"))
            .Concat(run.Definitions.Select(kv => (kv.Key, Model.Json.JsonSource.Parse(kv.Key, System.Text.Encoding.UTF8.GetBytes(kv.Value)).Root is Model.Json.JObject o
                ? Model.Json.Lenient.Text(o["location"]) ?? "" : "", "location")));
        foreach (var (module, folder, what) in folders)
        {
            if (folder.Length == 0)
            {
                continue;
            }

            var full = folder.Contains('\0', StringComparison.Ordinal) ? folder : Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
            if (!installed.Contains(full) && !roots.Any(r => full == r || full.StartsWith(r + "/", StringComparison.Ordinal)))
            {
                return $"run: {module}'s {what} {JsonValue.Create(folder).ToJsonString()} is not in the site's repositories or uploads; make the plan through this API ('tappaas plan --out FILE')";
            }
        }

        return null;
    }

    /// <summary>
    /// A module's backup restored beside it as a new module: the original's fields with its own name, a free vmid and no
    /// fixed address (that one is the original's), its disk filled from the backup, then installed as one run.
    /// </summary>
    private async Task<ApiResult<BackupResultV1>> RestoreAsNewAsync(string module, string? snapshotId, string newName, CancellationToken ct)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(newName, @"^[a-zA-Z][a-zA-Z0-9-]*\z"))
        {
            return Problem(400, ApiProblem.InvalidRequest, $"as={newName}: a module name starts with a letter and holds letters, digits and '-'");
        }

        var installed = site.Layout.ModuleFile(module);
        if (Model.Json.JsonSource.ParseFile(installed, installed).Root is not Model.Json.JObject root)
        {
            return NotInstalled(module);
        }

        if (File.Exists(site.Layout.ModuleFile(newName)))
        {
            return Problem(400, ApiProblem.InvalidRequest, $"as={newName}: a module of that name is already installed");
        }

        var flat = new Model.Modules.ModuleDefinition(module, installed, root).ToFlat();
        var vmid = Directory.GetFiles(site.Layout.ConfigDir, "*.json").Select(f => Model.Json.JsonSource.ParseFile(f, f).Root as Model.Json.JObject).OfType<Model.Json.JObject>()
            .Select(o => new Model.Modules.ModuleDefinition("m", "m.json", o).VmId ?? 0).DefaultIfEmpty(0).Max() + 1;
        var props = flat.Properties.Where(p => p.Name is not ("vmname" or "vmid" or "ip" or "installTime" or "updateTime")).ToList();
        props.Insert(0, new Model.Json.JProperty("vmid", new Model.Json.JNumber(Math.Max(vmid, 100).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        props.Insert(0, new Model.Json.JProperty("vmname", new Model.Json.JString(newName)));
        var text = Model.Json.JsonText.Write(new Model.Json.JObject(props));
        var folder = Path.Combine(site.Layout.Root, "restored", newName);
        var file = Path.Combine(folder, newName + ".json");
        await AtomicFile.WriteAsync(file, text, ct);

        BackupSnapshot snapshot;
        try
        {
            snapshot = await site.Backups.RestoreAsNewAsync(module, snapshotId, newName, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new ApiProblem(502, "backup operation failed", ex.Message, [], null);
        }

        var source = new Engine.ModuleSource(new Model.Modules.ModuleDefinition(newName, file, (Model.Json.JObject)Model.Json.JsonSource.ParseFile(file, file).Root!),
            ModuleLocator.FolderOf(module, site.Layout) ?? folder, text);
        var outcome = await site.Engine.InstallAsync([source], new EngineOptions(), ct);
        if (Outcome(outcome) is { Problem: { } failed })
        {
            return failed;
        }

        var message = $"restored from {module}'s backup {snapshot.ShortId} of {snapshot.Time.ToUniversalTime():u} as {newName}";
        await site.Store.AppendEventAsync(newName, "restored", message, ct);
        return Ok(new BackupResultV1(newName, true, message, snapshot.ShortId, 0));
    }

    private static BackupOutcomeV1? Outcome(BackupResult? r) => r is null ? null : new BackupOutcomeV1(r.Succeeded, r.At, r.Message, r.SnapshotId);

    private async Task<ApiProblem?> Installed(string module, CancellationToken ct) =>
        await site.Store.GetModuleAsync(module, ct) is { Status: "installed" } ? null
            : new ApiProblem(404, "no such module", $"module \"{module}\" is not installed in this site; GET /api/v1/modules lists them", [], null);

    internal static ApiResult<BackupResultV1> Backup(BackupResult o) =>
        o.Succeeded
            ? Ok(new BackupResultV1(o.Module, true, o.Message, o.SnapshotId, o.Seconds))
            : new ApiProblem(502, "backup operation failed", o.Message, [], null);

    private static HookFlags Flags(HookOptionsV1? hooks) => new() { Debug = hooks?.Debug ?? false, Silent = hooks?.Silent ?? false };

    private static EventV1 Event(Abstractions.State.EventRecord e) => new(e.Id, e.Module, e.Kind, e.Message, e.At);

    private static ApiProblem NotInstalled(string name) =>
        new(404, "no such module", $"module \"{name}\" is not installed in this site; GET /api/v1/modules lists them", [], null);

    private static ApiProblem Problem(int status, string title, string detail) => new(status, title, detail, [], null);

    private static ApiResult<T> Ok<T>(T value) => new(value, null);

    private static async Task<bool> Wait(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
