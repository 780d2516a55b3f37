using System.CommandLine;
using Tappaas.Abstractions.Providers;
using Tappaas.Cli.Output;
using Tappaas.Cli.Remote;
using Tappaas.Engine;
using Tappaas.Engine.Apply;

namespace Tappaas.Cli.Commands;

/// <summary><c>delete</c> and <c>test</c>.</summary>
internal static class DeleteTestCommands
{
    public static Command Delete(TextWriter output, TextWriter error)
    {
        var module = CompletionCommand.Modules(new Argument<string>("MODULE") { Description = "An installed module." });
        var archive = new Option<bool>("--archive") { Description = "Keep config and backups, mark the module archived (the default)." };
        var remove = new Option<bool>("--remove") { Description = "Forget the module and delete its config." };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation." };
        var force = new Option<bool>("--force") { Description = "Delete even when other modules depend on it; implies --yes and --remove unless --archive is given." };
        var command = new Command("delete", "Delete a module: archive (default) or remove; refused while others depend on it.")
        {
            module, archive, remove, yes, force, CommonOptions.Json, SiteOptions.Debug, SiteOptions.Silent,
        };
        command.SetAction(async (result, ct) =>
        {
            var name = result.GetValue(module)!;
            var forced = result.GetValue(force);
            var archiving = result.GetValue(archive) || (!result.GetValue(remove) && !forced);
            if (result.GetValue(archive) && result.GetValue(remove))
            {
                error.WriteLine("error: --archive and --remove exclude each other");
                return ExitCodes.Usage;
            }

            if (!result.GetValue(yes) && !forced)
            {
                if (Console.IsInputRedirected)
                {
                    SiteCommand.Refused(error, $"deleting \"{name}\" needs confirmation, and there is no terminal to ask", "pass --yes to confirm");
                    return ExitCodes.Failed;
                }

                output.Write($"{(archiving ? "Archive" : "Remove")} module \"{name}\"? [y/N] ");
                if (!string.Equals(Console.ReadLine()?.Trim(), "y", StringComparison.OrdinalIgnoreCase))
                {
                    output.WriteLine("cancelled");
                    return ExitCodes.Failed;
                }
            }

            var verb = archiving ? "archive" : "remove";
            var json = result.GetValue(CommonOptions.Json);
            return await Dispatch.RunAsync(result, error, async (client, token) =>
            {
                var answer = await LiveProgress.RunAsync(client, error, json, $"deleting {name}", t => client.DeleteAsync(name, !archiving, forced, t), token);
                return ApiPrinter.Outcome(output, error, answer, json, verb);
            }, async (session, token) =>
            {
                var outcome = await session.Engine.DeleteAsync(name, new EngineOptions { Archive = archiving, Force = forced, Flags = SiteOptions.Flags(result) }, token);
                OutcomePrinter.Print(output, error, outcome, json, verb);
                return outcome.Status is ApplyStatus.Succeeded or ApplyStatus.SucceededWithWarnings ? ExitCodes.Ok : ExitCodes.Failed;
            }, ct);
        });
        return command;
    }

    public static Command Test(TextWriter output, TextWriter error)
    {
        var module = CompletionCommand.Modules(new Argument<string>("MODULE") { Description = "An installed module." });
        var deep = new Option<bool>("--deep") { Description = "Run the deep tests (TAPPAAS_TEST_DEEP=1)." };
        var vmid = new Option<string?>("--vmid") { Description = "Test this guest id instead of the configured one (TAPPAAS_VMID_OVERRIDE)." };
        var zone0 = new Option<string?>("--zone0") { Description = "Test in this zone instead of the configured one (TAPPAAS_ZONE0_OVERRIDE)." };
        var command = new Command("test", "Run every dependency's test and the module's own; exit 0 pass, 1 fail, 2 fatal.")
        {
            module, deep, vmid, zone0, CommonOptions.Json, SiteOptions.Debug, SiteOptions.Silent,
        };
        command.SetAction((result, ct) => SiteCommand.RunAsync(result, error, async (session, token) =>
        {
            var flags = SiteOptions.Flags(result, result.GetValue(deep)) with { VmIdOverride = result.GetValue(vmid), Zone0Override = result.GetValue(zone0) };
            var r = await session.Engine.TestAsync(result.GetValue(module)!, flags, token);
            if (result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintJson(output, new { status = r.Status.ToString().ToLowerInvariant(), output = r.Output, diagnostics = r.Diagnostics.Select(DiagnosticPrinter.ToJson) });
            }
            else
            {
                output.Write(r.Output);
                DiagnosticPrinter.PrintHuman(error, r.Diagnostics);
                output.WriteLine(r.Status switch { OperationStatus.Ok => "PASS", OperationStatus.Failed => "FAIL", _ => "FATAL" });
            }

            return (int)r.Status;
        }, ct));
        return command;
    }
}
