using System.CommandLine;
using System.Text.Json;
using Tappaas.Abstractions.Plans;
using Tappaas.Cli.Output;
using Tappaas.Engine;
using Tappaas.Engine.Apply;

namespace Tappaas.Cli.Commands;

/// <summary><c>plan</c> (exit 0 no changes, 2 changes, 1 error) and <c>apply PLANFILE</c> (refuses a stale plan).</summary>
internal static class PlanCommands
{
    public static Command Plan(TextWriter output, TextWriter error)
    {
        var modules = new Argument<string[]>("MODULE") { Description = "Module files, folders or names (default: every installed module against its release).", Arity = ArgumentArity.ZeroOrMore };
        var save = new Option<string?>("--out") { Description = "Save the plan to a file for 'tappaas apply'." };
        var command = new Command("plan", "Show what install or update would change, step by step, with reasons.") { modules, save, CommonOptions.Json };
        command.SetAction((result, ct) => SiteCommand.RunAsync(result, error, async (session, token) =>
        {
            var code = SiteCommand.Locate(result.GetValue(modules) ?? [], session, error, out var sources);
            if (code != ExitCodes.Ok)
            {
                return code;
            }

            var (plan, diagnostics) = await session.Engine.PlanAsync(sources, token);
            if (plan is null)
            {
                if (result.GetValue(CommonOptions.Json))
                {
                    DiagnosticPrinter.PrintJson(output, new { diagnostics = diagnostics.Select(DiagnosticPrinter.ToJson) });
                }
                else
                {
                    DiagnosticPrinter.PrintHuman(error, diagnostics);
                }

                return ExitCodes.Failed;
            }

            if (!result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintHuman(error, diagnostics.Where(d => d.Severity != Model.Diagnostics.Severity.Info)); // merge conflicts, releases not found
            }

            if (result.GetValue(save) is { } file)
            {
                await File.WriteAllTextAsync(file, SiteEngine.SavePlan(plan, sources), token);
            }

            if (result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintJson(output, new
                {
                    stateRevision = plan.StateRevision,
                    hasChanges = plan.HasChanges,
                    changes = plan.Changes.Select(c => new { address = c.Address, module = c.Module, service = c.Service?.ToString(), action = c.Action.ToString().ToLowerInvariant(), reasons = c.Reasons }),
                });
            }
            else
            {
                foreach (var c in plan.Changes.Where(c => c.Action != ChangeAction.NoOp))
                {
                    output.WriteLine($"{Symbol(c.Action)} {c.Address}");
                    foreach (var r in c.Reasons)
                    {
                        output.WriteLine($"      {r}");
                    }
                }

                var counts = plan.Changes.GroupBy(c => c.Action).ToDictionary(g => g.Key, g => g.Count());
                output.WriteLine(plan.HasChanges
                    ? $"Plan (state revision {plan.StateRevision}): {counts.GetValueOrDefault(ChangeAction.Create)} to create, {counts.GetValueOrDefault(ChangeAction.Update)} to update, {counts.GetValueOrDefault(ChangeAction.Replace)} to replace, {counts.GetValueOrDefault(ChangeAction.Delete)} to delete."
                    : $"No changes (state revision {plan.StateRevision}).");
            }

            return plan.HasChanges ? 2 : ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command Apply(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("PLANFILE") { Description = "A plan saved with 'tappaas plan --out'." };
        var command = new Command("apply", "Apply a saved plan, refusing it if the site changed since it was made.") { file, CommonOptions.Json };
        command.SetAction((result, ct) => SiteCommand.RunAsync(result, error, async (session, token) =>
        {
            var path = result.GetValue(file)!;
            long revision;
            List<string> files;
            try
            {
                using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(path, token));
                revision = doc.RootElement.GetProperty("stateRevision").GetInt64();
                files = [.. doc.RootElement.GetProperty("modules").EnumerateArray().Select(m => m.GetProperty("file").GetString()!)];
            }
            catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                error.WriteLine($"error: {path} is not a saved plan ({ex.Message}); make one with 'tappaas plan MODULE --out {path}'");
                return ExitCodes.Usage;
            }

            var code = SiteCommand.Locate(files, session, error, out var sources);
            if (code != ExitCodes.Ok)
            {
                return code;
            }

            var outcome = await session.Engine.ApplyPlanAsync(revision, sources, new EngineOptions(), token);
            OutcomePrinter.Print(output, error, outcome, result.GetValue(CommonOptions.Json), "apply");
            return outcome.Status is ApplyStatus.Succeeded or ApplyStatus.SucceededWithWarnings ? ExitCodes.Ok : ExitCodes.Failed;
        }, ct));
        return command;
    }

    private static string Symbol(ChangeAction action) => action switch
    {
        ChangeAction.Create => "  +",
        ChangeAction.Update => "  ~",
        ChangeAction.Replace => "-/+",
        ChangeAction.Delete => "  -",
        _ => "   ",
    };
}
