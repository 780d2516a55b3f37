using System.CommandLine;
using System.Text.Json.Nodes;
using Tappaas.Cli.Output;
using Tappaas.Cli.Remote;
using Tappaas.Client;

namespace Tappaas.Cli.Commands;

/// <summary><c>plan</c> (exit 0 no changes, 2 changes, 1 error) and <c>apply PLANFILE</c> (runs the saved plan's steps; refuses a stale plan).</summary>
internal static class PlanCommands
{
    public static Command Plan(TextWriter output, TextWriter error)
    {
        var modules = new Argument<string[]>("MODULE") { Description = "Module files, folders or names (default: every installed module against its release).", Arity = ArgumentArity.ZeroOrMore };
        var save = new Option<string?>("--out") { Description = "Save the plan, with the run that applies it, to a file for 'tappaas apply'." };
        var steps = new Option<bool>("--steps") { Description = "Also list the steps 'tappaas apply' will run, in order." };
        var command = new Command("plan", "Show what install or update would change, step by step, with reasons; observed drift shows too.") { modules, save, steps, CommonOptions.Json };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (api, token) =>
        {
            var (names, uploads, refused) = ModuleUploadPacker.For(api, result.GetValue(modules) ?? []);
            if (refused is not null)
            {
                error.WriteLine($"error: {refused}");
                return ExitCodes.Usage;
            }

            var json = result.GetValue(CommonOptions.Json);
            var answer = await api.PlanAsync(names, token, uploads);
            if (answer.Value is not { } plan)
            {
                var problem = answer.Problem!;
                if (json && !problem.IsBadArgument)
                {
                    DiagnosticPrinter.PrintJson(output, new JsonObject { ["diagnostics"] = DiagnosticPrinter.ToJson(problem.Diagnostics) });
                    return ExitCodes.Failed;
                }

                return problem.Diagnostics.Count > 0 && !problem.IsBadArgument ? Diagnostics(error, problem.Diagnostics) : Dispatch.Fail(error, problem);
            }

            if (result.GetValue(save) is { } file)
            {
                SavedPlan.Save(file, plan);
            }

            if (json)
            {
                DiagnosticPrinter.PrintJson(output, new JsonObject
                {
                    ["stateRevision"] = plan.StateRevision,
                    ["hasChanges"] = plan.HasChanges,
                    ["changes"] = JsonOut.Array(plan.Changes, c => new JsonObject
                    {
                        ["address"] = c.Address, ["module"] = c.Module, ["service"] = c.Service, ["action"] = c.Action, ["reasons"] = JsonOut.Strings(c.Reasons),
                    }),
                    ["steps"] = plan.Steps is { } steps ? JsonOut.Array(steps, s => new JsonObject { ["index"] = s.Index, ["address"] = s.Address, ["reason"] = s.Reason }) : null,
                });
                return plan.HasChanges ? 2 : ExitCodes.Ok;
            }

            DiagnosticPrinter.PrintHuman(error, (plan.Diagnostics ?? []).Where(d => d.Severity != "info")); // merge conflicts, releases not found, drift not observed
            foreach (var c in plan.Changes.Where(c => c.Action != "noop"))
            {
                output.WriteLine($"{Symbol(c.Action)} {c.Address}");
                foreach (var r in c.Reasons)
                {
                    output.WriteLine($"      {r}");
                }
            }

            var counts = plan.Changes.GroupBy(c => c.Action).ToDictionary(g => g.Key, g => g.Count());
            output.WriteLine(plan.HasChanges
                ? $"Plan (state revision {plan.StateRevision}): {counts.GetValueOrDefault("create")} to create, {counts.GetValueOrDefault("update")} to update, {counts.GetValueOrDefault("replace")} to replace, {counts.GetValueOrDefault("delete")} to delete."
                : $"No changes (state revision {plan.StateRevision}).");
            if (result.GetValue(steps) && plan.Steps is { Count: > 0 } run)
            {
                output.WriteLine($"'tappaas apply' runs {run.Count} step(s):");
                foreach (var s in run)
                {
                    output.WriteLine($"  {s.Index + 1,3}. {s.Address}  ({s.Reason})");
                }
            }

            return plan.HasChanges ? 2 : ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command Apply(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("PLANFILE") { Description = "A plan saved with 'tappaas plan --out'." };
        var command = new Command("apply", "Run a saved plan's steps as planned, refusing it if the site changed since it was made.") { file, CommonOptions.Json };
        command.SetAction((result, ct) =>
        {
            var (plan, problem) = SavedPlan.Load(result.GetValue(file)!);
            if (plan is null)
            {
                error.WriteLine($"error: {problem}");
                return Task.FromResult(ExitCodes.Usage);
            }

            return Dispatch.RunAsync(result, error, async (api, token) =>
            {
                var json = result.GetValue(CommonOptions.Json);
                var answer = await LiveProgress.RunAsync(api, error, json, "applying the plan", t => api.ApplyAsync(plan, t), token);
                return ApiPrinter.Outcome(output, error, answer, json, "apply");
            }, ct);
        });
        return command;
    }

    private static int Diagnostics(TextWriter error, IReadOnlyList<DiagnosticV1> diagnostics)
    {
        DiagnosticPrinter.PrintHuman(error, diagnostics);
        return ExitCodes.Failed;
    }

    private static string Symbol(string action) => action switch
    {
        "create" => "  +",
        "update" => "  ~",
        "replace" => "-/+",
        "delete" => "  -",
        _ => "   ",
    };
}
