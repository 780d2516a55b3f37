using Tappaas.IO;
using Tappaas.Abstractions.Providers;
using Tappaas.Model.Modules;

namespace Tappaas.Engine.Apply;

/// <summary>Runs one step, and undoes one completed step. Every step is idempotent, so a resumed run may repeat one.</summary>
internal static class StepExecutor
{
    public static async ValueTask<OperationResult> RunAsync(ApplyStep step, StepContext context, CancellationToken cancellationToken)
    {
        var m = step.Module;
        switch (step.Kind)
        {
            case StepKind.StageConfig:
                AtomicFile.Write(context.Layout.ModuleFile(m), context.Payload.Definitions[m]);
                if (context.Payload.Releases.TryGetValue(m, out var release))
                {
                    AtomicFile.Write(context.Layout.OrigFile(m), release);
                }

                return OperationResult.Ok($"wrote {context.Layout.ModuleFile(m)}");
            case StepKind.Snapshot:
                return await SnapshotAsync(step, context, cancellationToken);
            case StepKind.PreTest:
            case StepKind.PostTest:
                return await TestRunner.TestAsync(context.Desired(m), context, cancellationToken);
            case StepKind.ModuleHook:
                return await context.Hooks.RunAsync(step.Hook!, context.HookRequest(m), cancellationToken, $"no {step.Hook}.sh");
            case StepKind.ServiceInstall:
                return await context.CallAsync(step, context.Desired(m), (p, r) => p.InstallAsync(r, cancellationToken));
            case StepKind.ServiceUpdate:
                return await context.CallAsync(step, context.Desired(m), (p, r) => p.UpdateAsync(r, cancellationToken));
            case StepKind.ServiceDelete:
                return await context.CallAsync(step, context.Previous(m) ?? context.Desired(m), (p, r) => p.DeleteAsync(r, cancellationToken));
            case StepKind.Commit:
                {
                    var definition = context.Payload.Definitions[m];
                    var existing = await context.Store.GetModuleAsync(m, cancellationToken);
                    if (existing is { Status: "installed" } && existing.Definition == definition)
                    {
                        return OperationResult.Ok($"{m} already recorded at revision {existing.Revision}");
                    }

                    var saved = await context.Store.SaveModuleAsync(m, definition, "installed", context.Payload.ReasonFor(m), cancellationToken);
                    return OperationResult.Ok($"recorded {m} revision {saved.Revision}");
                }

            case StepKind.Archive:
                {
                    var archived = ModuleText.WithStatus(context.Payload.Previous[m]!, "archived");
                    AtomicFile.Write(context.Layout.ModuleFile(m), archived);
                    await context.Store.SaveModuleAsync(m, archived, "archived", null, cancellationToken);
                    return OperationResult.Ok($"{m} archived; its config and backups are kept");
                }

            case StepKind.Remove:
                await context.Store.RemoveModuleAsync(m, cancellationToken);
                AtomicFile.Delete(context.Layout.ModuleFile(m));
                AtomicFile.Delete(context.Layout.OrigFile(m));
                return OperationResult.Ok($"{m} removed");
            default:
                throw new InvalidOperationException($"unknown step kind {step.Kind}");
        }
    }

    public static async ValueTask<OperationResult> UndoAsync(ApplyStep step, StepContext context, CancellationToken cancellationToken)
    {
        var m = step.Module;
        switch (step.Kind)
        {
            case StepKind.StageConfig when context.Payload.PriorFiles.TryGetValue(m, out var files):
                Restore(context.Layout.ModuleFile(m), files.Installed);
                Restore(context.Layout.OrigFile(m), files.Orig);
                return OperationResult.Ok("restored the config file as it was");
            case StepKind.StageConfig:
            case StepKind.Archive:
            case StepKind.Remove:
                if (context.Payload.Previous.GetValueOrDefault(m) is { } previous)
                {
                    AtomicFile.Write(context.Layout.ModuleFile(m), previous);
                    if (step.Kind != StepKind.StageConfig)
                    {
                        await context.Store.SaveModuleAsync(m, previous, "installed", null, cancellationToken);
                    }
                }
                else
                {
                    AtomicFile.Delete(context.Layout.ModuleFile(m));
                    AtomicFile.Delete(context.Layout.OrigFile(m));
                }

                return OperationResult.Ok("restored the config file");
            case StepKind.Snapshot:
                if (context.Snapshots.TryGetValue(m, out var id) && GuestProvider(context.Desired(m), context) is { } p && p.Provider is ISnapshotProvider snap)
                {
                    return await snap.RestoreSnapshotAsync(p.Request, id, cancellationToken);
                }

                return OperationResult.Ok("no snapshot to restore");
            case StepKind.ServiceInstall:
                return await context.CallAsync(step, context.Desired(m), (p, r) => p.DeleteAsync(r, cancellationToken));
            case StepKind.ServiceUpdate:
                if (context.Snapshots.ContainsKey(m) || context.Previous(m) is not { } before)
                {
                    return OperationResult.Ok("covered by the snapshot");
                }

                return await context.CallAsync(step, before, (p, r) => p.UpdateAsync(r, cancellationToken));
            case StepKind.ServiceDelete:
                return await context.CallAsync(step, context.Previous(m) ?? context.Desired(m), (p, r) => p.InstallAsync(r, cancellationToken));
            case StepKind.Commit:
                if (context.Payload.Previous.GetValueOrDefault(m) is { } prior)
                {
                    var saved = await context.Store.SaveModuleAsync(m, prior, "installed", $"automatic rollback: {context.Payload.ReasonFor(m)} failed", cancellationToken);
                    return OperationResult.Ok($"re-recorded the previous definition as revision {saved.Revision}");
                }

                await context.Store.RemoveModuleAsync(m, cancellationToken);
                return OperationResult.Ok($"forgot {m}");
            default:
                return OperationResult.Ok("nothing to undo");
        }
    }

    private static void Restore(string file, string? text)
    {
        if (text is null)
        {
            AtomicFile.Delete(file);
        }
        else
        {
            AtomicFile.Write(file, text);
        }
    }

    /// <summary>The provider of the module's guest service (cluster:vm or cluster:lxc), if it depends on one.</summary>
    public static (IResourceProvider Provider, ProviderRequest Request)? GuestProvider(ModuleDefinition module, StepContext context)
    {
        var guest = module.DependsOn.FirstOrDefault(d => d.Service is "vm" or "lxc");
        if (guest.Module is null)
        {
            return null;
        }

        var step = new ApplyStep(-1, StepKind.ServiceUpdate, module.Name, guest.ToString(), ProviderFolderOf(guest, context));
        return (context.Provider(step), context.Request(step, module));
    }

    private static string? ProviderFolderOf(ServiceRef service, StepContext context) =>
        context.Payload.Steps.FirstOrDefault(s => s.Service == service.ToString())?.ProviderFolder;

    private static async ValueTask<OperationResult> SnapshotAsync(ApplyStep step, StepContext context, CancellationToken cancellationToken)
    {
        if (GuestProvider(context.Desired(step.Module), context) is not { } p || p.Provider is not ISnapshotProvider snap
            || !p.Provider.Info.Capabilities.HasFlag(ProviderCapabilities.Snapshot))
        {
            return OperationResult.Ok("no snapshot: the guest's provider cannot snapshot");
        }

        var id = await snap.CreateSnapshotAsync(p.Request, cancellationToken);
        context.Snapshots[step.Module] = id;
        // snapshotRetention: older pre-update snapshots go; the newest (this run's safety net) always stays.
        var keep = context.Site.SnapshotRetention;
        await snap.PruneSnapshotsAsync(p.Request, Math.Max(1, keep), cancellationToken);
        return OperationResult.Ok($"snapshot={id}");
    }
}
