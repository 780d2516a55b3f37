using System.Text.Json;
using Tappaas.Abstractions.Providers;
using Tappaas.Abstractions.State;
using Tappaas.Engine.Apply;
using Tappaas.Engine.Site;
using Tappaas.IO;
using Tappaas.Model.Loading;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Model.Site;
using Tappaas.Model.Zones;

namespace Tappaas.Engine;

/// <summary>
/// The control plane for one site: install, update, delete, test, plan, apply, rollback — each a journalled run
/// under the site's lock. Works in-process on a site folder; the daemon hosts the same engine.
/// </summary>
public sealed partial class SiteEngine(SiteLayout layout, IStateStore store, IProviderFactory providers, IModuleHooks hooks, TimeProvider time)
{
    /// <summary>The site.</summary>
    public SiteLayout Layout { get; } = layout;

    /// <summary>The state store.</summary>
    public IStateStore Store { get; } = store;

    /// <summary>
    /// What the platform puts right before an interrupted run goes on (under the lock, so nothing else is changing the
    /// site): e.g. guests a snapshot froze just before its process was killed.
    /// </summary>
    public Func<CancellationToken, Task>? BeforeResume { get; init; }

    /// <summary>Finishes a run left unfinished by a crash (resuming it or completing its rollback); null when there is none.</summary>
    public async Task<ApplyOutcome?> ResumeAsync(CancellationToken cancellationToken)
    {
        var (applyLock, heldBy) = await ApplyLock.AcquireAsync(Store, time, "resume", cancellationToken);
        if (applyLock is null)
        {
            return Locked(heldBy!);
        }

        await using (applyLock)
        {
            return await ResumeUnderLockAsync(cancellationToken);
        }
    }

    private async Task<ApplyOutcome?> ResumeUnderLockAsync(CancellationToken cancellationToken)
    {
        // Temporary files of an atomic write that a crash interrupted: the target still has its old content.
        foreach (var temp in AtomicFile.Leftovers(Layout.ConfigDir))
        {
            File.Delete(temp);
        }

        if (await Store.FindUnfinishedApplyAsync(cancellationToken) is not { } run)
        {
            return null;
        }

        if (BeforeResume is { } settle)
        {
            await settle(cancellationToken);
        }

        var payload = JsonSerializer.Deserialize(run.Payload, EngineJson.Default.ApplyPayload)!;
        var prior = await Store.ReadJournalAsync(run.Id, cancellationToken);
        await Store.AppendEventAsync("", "resumed", $"run {run.Id} ({run.Command}) was interrupted after {prior.Count} journal lines; continuing it", cancellationToken);
        var outcome = await new Applier(Store, time).RunAsync(run, Context(payload, HookFlags.None), prior, cancellationToken);
        await RecordEventsAsync(payload, outcome, cancellationToken);
        return outcome;
    }

    /// <summary>
    /// Takes the lock, finishes any interrupted run, builds the run under the lock and applies it; warnings the build
    /// put in <c>notes</c> (merge conflicts, say) are added to the run's outcome.
    /// </summary>
    private async Task<ApplyOutcome> RunLockedAsync(string command, HookFlags flags, Func<Task<(ApplyPayload? Payload, ApplyOutcome? Refusal)>> build, CancellationToken cancellationToken,
        IReadOnlyList<Diagnostic>? notes = null)
    {
        var (applyLock, heldBy) = await ApplyLock.AcquireAsync(Store, time, command, cancellationToken);
        if (applyLock is null)
        {
            return Locked(heldBy!);
        }

        await using (applyLock)
        {
            var resumed = await ResumeUnderLockAsync(cancellationToken);
            var (payload, refusal) = await build();
            if (refusal is not null || payload is null)
            {
                return refusal ?? ApplyOutcome.Refuse(EngineCodes.StepFailed, "nothing to do");
            }

            var run = await Store.BeginApplyAsync(command, JsonSerializer.Serialize(payload, EngineJson.Default.ApplyPayload), applyLock.Owner, cancellationToken);
            var outcome = await new Applier(Store, time).RunAsync(run, Context(payload, flags), [], cancellationToken);
            await RecordEventsAsync(payload, outcome, cancellationToken);
            return outcome with { Diagnostics = [.. resumed?.Diagnostics ?? [], .. notes ?? [], .. outcome.Diagnostics] };
        }
    }

    private StepContext Context(ApplyPayload payload, HookFlags flags) => new(Layout, Store, providers, hooks, flags, payload);

    private static ApplyOutcome Locked(LockHolder holder) => ApplyOutcome.Refuse(EngineCodes.Locked,
        $"the site is locked by {holder.Host}:{holder.ProcessId} ({holder.Command}) since {holder.AcquiredAt:u}",
        "wait for it to finish; a crashed holder's lock is taken over automatically once its process is gone or its lease expires");

    private async Task RecordEventsAsync(ApplyPayload payload, ApplyOutcome outcome, CancellationToken cancellationToken)
    {
        foreach (var module in payload.Definitions.Keys.Concat(payload.Previous.Keys).Distinct(StringComparer.Ordinal))
        {
            // A saved plan's run installs some modules and updates others: each is reported as what happened to it.
            var command = payload.Command != "apply" ? payload.Command
                : payload.Steps.Any(s => s.Module == module && s.Hook == "install") ? "install" : "update";
            var kind = outcome.Status switch
            {
                ApplyStatus.Succeeded => command switch { "delete" => payload.Archive ? "archived" : "removed", "install" => "installed", _ => command + "d" },
                ApplyStatus.SucceededWithWarnings => command + "-with-warnings",
                _ => command + "-rolled-back",
            };
            var cause = outcome.Diagnostics.FirstOrDefault(d => d.Severity == Severity.Error)?.Message ?? payload.ReasonFor(module);
            await Store.AppendEventAsync(module, kind, $"{command} of {module}: {outcome.Status} ({cause})", cancellationToken);
        }
    }

    /// <summary>The site's configuration and zones (from the config folder).</summary>
    public (SiteConfiguration? Site, ZoneSet? Zones, IReadOnlyList<Diagnostic> Diagnostics) ReadSite() => SiteFiles.Read(Layout.ConfigDir);

    private static ModuleDefinition Parse(string name, string json) => StepContext.Parse(name, json);

    private string Stamp(ModuleSource source, string timeField)
    {
        var now = time.GetUtcNow();
        var text = JsonText.Write(source.Definition.ToCanonical());
        text = ModuleText.WithField(text, "location", new JString(source.Folder));
        text = ModuleText.WithField(text, timeField, new JString(now.ToString("yyyyMMdd-HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)));
        if (!source.Definition.Has("releaseDate"))
        {
            text = ModuleText.WithField(text, "releaseDate", new JString(now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        }

        return text;
    }
}
