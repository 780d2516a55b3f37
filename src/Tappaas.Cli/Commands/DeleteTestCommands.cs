using System.CommandLine;
using Tappaas.Cli.Output;
using Tappaas.Cli.Remote;
using Tappaas.Client;

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
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (api, token) =>
        {
            var request = new TestRequestV1(result.GetValue(deep), result.GetValue(vmid), result.GetValue(zone0), result.GetValue(SiteOptions.Debug), result.GetValue(SiteOptions.Silent));
            var answer = await api.TestAsync(result.GetValue(module)!, request, token);
            if (answer.Value is not { } r)
            {
                Dispatch.Fail(error, answer.Problem!);
                return answer.Problem!.Status == 404 ? 2 : 1; // a module that is not installed cannot be tested: fatal, as upstream
            }

            if (result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintRecord(output, r);
            }
            else
            {
                output.Write(r.Output);
                foreach (var d in r.Diagnostics.Where(d => d.Severity != "info"))
                {
                    ApiPrinter.Diagnostic(error, d);
                }

                output.WriteLine(r.Status switch { "ok" => "PASS", "failed" => "FAIL", _ => "FATAL" });
            }

            return r.Status switch { "ok" => 0, "failed" => 1, _ => 2 };
        }, ct));
        return command;
    }
}
