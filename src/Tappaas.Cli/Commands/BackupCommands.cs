using System.CommandLine;
using System.Text.Json.Nodes;
using Tappaas.Cli.Output;
using Tappaas.Cli.Remote;
using Tappaas.Client;

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
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (api, token) =>
            Report(output, error, result.GetValue(module)!, await api.BackupAsync(result.GetValue(module)!, token), result.GetValue(CommonOptions.Json)), ct));

        var verifyModule = CompletionCommand.Modules(new Argument<string>("MODULE") { Description = "An installed module with backups." });
        var verify = new Command("verify", "Restore the newest backup into a scratch guest in an isolated zone, run its health checks, report RTO and RPO, remove it.") { verifyModule, CommonOptions.Json };
        verify.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (api, token) =>
            Report(output, error, result.GetValue(verifyModule)!, await api.VerifyAsync(result.GetValue(verifyModule)!, token), result.GetValue(CommonOptions.Json)), ct));

        // From cron or a timer, beside the daemon (whose own loop runs them too): in this process.
        var due = new Command("run-due", "Run the backups and verifies whose schedule came due (call it from cron or a systemd timer, e.g. every 15 minutes).") { CommonOptions.Json };
        due.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (api, token) =>
        {
            var ran = await api.RunDueBackupsAsync(token);
            if (ran.Value is not { } outcomes)
            {
                return Dispatch.Fail(error, ran.Problem!);
            }

            var json = result.GetValue(CommonOptions.Json);
            if (outcomes.Count == 0 && !json)
            {
                output.WriteLine("nothing is due");
            }

            var answers = outcomes.Select(o => o.Succeeded
                ? new ApiResult<BackupResultV1>(o, null)
                : new ApiResult<BackupResultV1>(null, new ApiProblem(502, "backup operation failed", o.Message, [], null))).ToList();
            if (json)
            {
                DiagnosticPrinter.PrintJson(output, JsonOut.Array(answers, a => a.Value is { } done ? JsonOut.Node(done) : new JsonObject { ["succeeded"] = false, ["message"] = a.Problem!.Detail }));
                return answers.All(a => a.Ok) ? ExitCodes.Ok : ExitCodes.Failed;
            }

            return outcomes.Zip(answers).Select(p => Report(output, error, p.First.Module, p.Second, json: false)).DefaultIfEmpty(ExitCodes.Ok).Max();
        }, ct));

        command.Subcommands.Add(verify);
        command.Subcommands.Add(due);
        return command;
    }

    public static Command Backups(TextWriter output, TextWriter error)
    {
        var module = new Argument<string?>("MODULE") { Description = "A module (default: all).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("backups", "List backups with their time and each module's last backup and verify.") { module, CommonOptions.Json };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (api, token) =>
        {
            var name = result.GetValue(module);
            var snapshots = await api.BackupsAsync(name, token);
            if (snapshots.Value is not { } list)
            {
                return Dispatch.Fail(error, snapshots.Problem!);
            }

            var status = (await api.BackupStatusAsync(token)).Value?.Where(s => name is null || s.Module == name).ToList() ?? [];
            if (result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintJson(output, new JsonObject { ["snapshots"] = JsonOut.Node(list), ["status"] = JsonOut.Node(status) });
                return ExitCodes.Ok;
            }

            foreach (var s in list)
            {
                output.WriteLine($"  {s.Id}  {s.Time.ToUniversalTime():u}  {s.Module}");
            }

            if (list.Count == 0)
            {
                output.WriteLine("  no backups");
            }

            foreach (var s in status)
            {
                output.WriteLine($"  {s.Module}: last backup {Line(s.LastBackup)}; last verify {Line(s.LastVerify)}");
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
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (api, token) =>
            Report(output, error, result.GetValue(module)!, await api.RestoreAsync(result.GetValue(module)!, result.GetValue(snapshot), token, result.GetValue(asName)),
                result.GetValue(CommonOptions.Json)), ct));
        return command;
    }

    internal static int Report(TextWriter output, TextWriter error, string module, ApiResult<BackupResultV1> answer, bool json)
    {
        if (json)
        {
            DiagnosticPrinter.PrintJson(output, answer.Value is { } done ? JsonOut.Node(done)! : new JsonObject { ["module"] = module, ["succeeded"] = false, ["message"] = answer.Problem!.Detail ?? answer.Problem.Title, ["httpStatus"] = answer.Problem.Status });
        }
        else if (answer.Value is { } o)
        {
            output.WriteLine($"{o.Module}: {o.Message} ({o.Seconds:0.0} s)");
        }
        else
        {
            foreach (var d in answer.Problem!.Diagnostics.Where(d => d.Severity != "info"))
            {
                ApiPrinter.Diagnostic(error, d);
            }

            error.WriteLine($"error: {module}: {answer.Problem.Detail ?? answer.Problem.ToString()}");
        }

        return answer.Ok ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static string Line(BackupOutcomeV1? o) => o is null ? "never" : $"{(o.Succeeded ? "ok" : "FAILED")} {o.At.ToUniversalTime():u}";
}
