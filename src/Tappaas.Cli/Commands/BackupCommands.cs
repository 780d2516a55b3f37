using System.CommandLine;
using System.Globalization;
using Tappaas.Cli.Output;
using Tappaas.Cli.Remote;
using Tappaas.Client;
using Tappaas.Composition;
using Tappaas.Engine;
using Tappaas.Engine.Apply;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Platform.Embedded.Backup;

namespace Tappaas.Cli.Commands;

/// <summary>
/// <c>backup MODULE</c>, <c>backup verify MODULE</c>, <c>backup run-due</c>, <c>backups [MODULE]</c> and
/// <c>restore MODULE [--snapshot ID] [--as NEW_NAME]</c>: backups of embedded guests' disks with restic.
/// A failed backup, verify or restore exits non-zero with the reason; it is also an event and in backups/status.json.
/// </summary>
internal static class BackupCommands
{
    public static Command Backup(TextWriter output, TextWriter error)
    {
        var module = CompletionCommand.Modules(new Argument<string>("MODULE") { Description = "An installed module." });
        var command = new Command("backup", "Back up a module's disk now (guests paused for a consistent copy), then apply its retention.") { module, CommonOptions.Json };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error,
            async (client, token) => Report(output, error, result.GetValue(module)!, await client.BackupAsync(result.GetValue(module)!, token), result.GetValue(CommonOptions.Json)),
            async (session, token) => Report(output, error, [await Service(session).BackupAsync(result.GetValue(module)!, token)], result.GetValue(CommonOptions.Json)), ct));

        var verifyModule = CompletionCommand.Modules(new Argument<string>("MODULE") { Description = "An installed module with backups." });
        var verify = new Command("verify", "Restore the newest backup into a scratch guest in an isolated zone, run its health checks, report RTO and RPO, remove it.") { verifyModule, CommonOptions.Json };
        verify.SetAction((result, ct) => Dispatch.RunAsync(result, error,
            async (client, token) => Report(output, error, result.GetValue(verifyModule)!, await client.VerifyAsync(result.GetValue(verifyModule)!, token), result.GetValue(CommonOptions.Json)),
            async (session, token) => Report(output, error, [await Service(session).VerifyAsync(result.GetValue(verifyModule)!, token)], result.GetValue(CommonOptions.Json)), ct));

        var due = new Command("run-due", "Run the backups and verifies whose schedule came due (call it from cron or a systemd timer, e.g. every 15 minutes).") { CommonOptions.Json };
        due.SetAction((result, ct) => SiteCommand.RunAsync(result, error, async (session, token) =>
        {
            var outcomes = await Service(session).RunDueAsync(token);
            if (outcomes.Count == 0 && !result.GetValue(CommonOptions.Json))
            {
                output.WriteLine("nothing is due");
            }

            return Report(output, error, [.. outcomes.Select(o => o.Outcome)], result.GetValue(CommonOptions.Json));
        }, ct));

        command.Subcommands.Add(verify);
        command.Subcommands.Add(due);
        return command;
    }

    public static Command Backups(TextWriter output, TextWriter error)
    {
        var module = new Argument<string?>("MODULE") { Description = "A module (default: all).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("backups", "List backups with their time, size added and last verify.") { module, CommonOptions.Json };
        command.SetAction((result, ct) => SiteCommand.RunAsync(result, error, async (session, token) =>
        {
            var service = Service(session);
            IReadOnlyList<ResticSnapshot> snapshots;
            try
            {
                snapshots = await service.ListAsync(result.GetValue(module), token);
            }
            catch (ResticException ex)
            {
                error.WriteLine($"error: {ex.Message}");
                return ExitCodes.Failed;
            }

            var status = service.Status.Read();
            if (result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintJson(output, new
                {
                    snapshots = snapshots.Select(s => new { id = s.ShortId, module = ModuleOf(s), time = s.Time, paths = s.Paths }),
                    status,
                });
                return ExitCodes.Ok;
            }

            foreach (var s in snapshots)
            {
                output.WriteLine($"  {s.ShortId}  {s.Time.ToUniversalTime():u}  {ModuleOf(s)}");
            }

            if (snapshots.Count == 0)
            {
                output.WriteLine("  no backups");
            }

            foreach (var (name, st) in status.Where(kv => result.GetValue(module) is null || kv.Key == result.GetValue(module)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                output.WriteLine($"  {name}: last backup {Line(st.LastBackup)}; last verify {Line(st.LastVerify)}");
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command Restore(TextWriter output, TextWriter error)
    {
        var module = CompletionCommand.Modules(new Argument<string>("MODULE") { Description = "An installed module." });
        var snapshot = new Option<string?>("--snapshot") { Description = "The backup to restore (id or prefix; default: the newest)." };
        var asName = new Option<string?>("--as") { Description = "Restore beside the original as a new module with this name." };
        var command = new Command("restore", "Restore a module's disk from a backup: stop its guests, replace the disk, start them and wait until healthy.") { module, snapshot, asName, CommonOptions.Json };
        // In place: through the daemon when it runs. Beside the original (--as) installs a new module: in this process.
        command.SetAction((result, ct) => result.GetValue(asName) is { } newName
            ? SiteCommand.RunAsync(result, error, (session, token) =>
                RestoreAsAsync(session, result.GetValue(module)!, result.GetValue(snapshot), newName, output, error, result.GetValue(CommonOptions.Json), token), ct)
            : Dispatch.RunAsync(result, error,
                async (client, token) => Report(output, error, result.GetValue(module)!, await client.RestoreAsync(result.GetValue(module)!, result.GetValue(snapshot), token), result.GetValue(CommonOptions.Json)),
                async (session, token) => Report(output, error, [await Service(session).RestoreAsync(result.GetValue(module)!, result.GetValue(snapshot), token)], result.GetValue(CommonOptions.Json)), ct));
        return command;
    }

    private static async Task<int> RestoreAsAsync(SiteSession session, string module, string? snapshotId, string newName, TextWriter output, TextWriter error, bool json, CancellationToken token)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(newName, "^[a-zA-Z][a-zA-Z0-9-]*$"))
        {
            error.WriteLine($"error: --as {newName}: a module name starts with a letter and holds letters, digits and '-'");
            return ExitCodes.Usage;
        }

        var installed = session.Layout.ModuleFile(module);
        if (!File.Exists(installed) || JsonSource.ParseFile(installed, installed).Root is not JObject root)
        {
            error.WriteLine($"error: module \"{module}\" is not installed in this site");
            return ExitCodes.Failed;
        }

        if (File.Exists(session.Layout.ModuleFile(newName)))
        {
            error.WriteLine($"error: --as {newName}: a module of that name is already installed");
            return ExitCodes.Usage;
        }

        // The copy: the original's fields, its own name and a free vmid, no fixed address (that one belongs to the original).
        var flat = new ModuleDefinition(module, installed, root).ToFlat();
        var vmid = Directory.GetFiles(session.Layout.ConfigDir, "*.json")
            .Select(f => JsonSource.ParseFile(f, f).Root as JObject).OfType<JObject>()
            .Select(o => new ModuleDefinition("m", "m.json", o).VmId ?? 0).DefaultIfEmpty(0).Max() + 1;
        var props = flat.Properties.Where(p => p.Name is not ("vmname" or "vmid" or "ip" or "installTime" or "updateTime")).ToList();
        props.Insert(0, new JProperty("vmid", new JNumber(Math.Max(vmid, 100).ToString(CultureInfo.InvariantCulture))));
        props.Insert(0, new JProperty("vmname", new JString(newName)));
        var text = JsonText.Write(new JObject(props));
        var folder = Path.Combine(session.Layout.Root, "restored", newName);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, newName + ".json");
        await File.WriteAllTextAsync(file, text, token);

        RestoredSnapshot snapshot;
        try
        {
            snapshot = await Service(session).RestoreDiskAsAsync(module, snapshotId, newName, token);
        }
        catch (ResticException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCodes.Failed;
        }

        var source = new ModuleSource(new ModuleDefinition(newName, file, (JObject)JsonSource.ParseFile(file, file).Root!), ModuleLocator.FolderOf(module, session.Layout) ?? folder, text);
        var outcome = await session.Engine.InstallAsync([source], new EngineOptions(), token);
        OutcomePrinter.Print(output, error, outcome, json, "install");
        if (outcome.Status is not (ApplyStatus.Succeeded or ApplyStatus.SucceededWithWarnings))
        {
            return ExitCodes.Failed;
        }

        await session.Store.AppendEventAsync(newName, "restored", $"restored from {module}'s backup {snapshot.ShortId} of {snapshot.Time?.ToUniversalTime():u}", token);
        if (!json)
        {
            output.WriteLine($"restored {module}'s backup {snapshot.ShortId} ({snapshot.Time?.ToUniversalTime():u}) as {newName}");
        }

        return ExitCodes.Ok;
    }

    private static BackupService Service(SiteSession session) => new(session.Providers.Embedded, session.Store);

    private static int Report(TextWriter output, TextWriter error, IReadOnlyList<BackupOutcome> outcomes, bool json)
    {
        if (json)
        {
            DiagnosticPrinter.PrintJson(output, outcomes);
        }
        else
        {
            foreach (var o in outcomes)
            {
                (o.Succeeded ? output : error).WriteLine(o.Succeeded ? $"{o.Module}: {o.Message} ({o.Seconds:0.0} s)" : $"error: {o.Module}: {o.Message}");
            }
        }

        return outcomes.All(o => o.Succeeded) ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static int Report(TextWriter output, TextWriter error, string module, ApiResult<BackupResultV1> answer, bool json)
    {
        if (json)
        {
            DiagnosticPrinter.PrintJson(output, answer.Value ?? (object)new { module, succeeded = false, message = answer.Problem!.Detail ?? answer.Problem.Title, httpStatus = answer.Problem.Status });
        }
        else if (answer.Value is { } o)
        {
            output.WriteLine($"{o.Module}: {o.Message} ({o.Seconds:0.0} s)");
        }
        else
        {
            error.WriteLine($"error: {module}: {answer.Problem!.Detail ?? answer.Problem.ToString()}");
        }

        return answer.Ok ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static string ModuleOf(ResticSnapshot s) => s.Tags?.FirstOrDefault(t => t.StartsWith("module=", StringComparison.Ordinal))?["module=".Length..] ?? "?";

    private static string Line(BackupOutcome? o) => o is null ? "never" : $"{(o.Succeeded ? "ok" : "FAILED")} {o.At.ToUniversalTime():u}";
}
