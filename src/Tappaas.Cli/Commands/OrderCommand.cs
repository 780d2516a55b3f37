using System.CommandLine;
using System.Text.Json.Nodes;
using Tappaas.Cli.Output;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Graph;
using Tappaas.Model.Loading;

namespace Tappaas.Cli.Commands;

/// <summary>
/// <c>tappaas order PATH... [--delete]</c>: the order modules install in (or are deleted in); with a missing provider or
/// a cycle there is none, so nothing is printed but the problems, and the exit code is 1.
/// </summary>
internal static class OrderCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var paths = CommonOptions.Paths();
        var delete = new Option<bool>("--delete") { Description = "Print the delete order (consumers before providers)." };
        var command = new Command("order", "Print the install order of modules: providers first, ties broken by name.")
        {
            paths, delete, CommonOptions.Json, CommonOptions.Installed,
        };
        command.SetAction(result =>
        {
            var workspace = WorkspaceLoader.Load(result.GetValue(paths)!, CommonOptions.WorkspaceOptions(result));
            // A module whose provider is missing, or a cycle, has no place in an order: none is printed then.
            var graph = DependencyGraph.Build(workspace.Modules, workspace.Installed, Severity.Error);
            var problems = workspace.Diagnostics.Where(d => d.Severity == Severity.Error).Concat(graph.Diagnostics).ToList();
            var failed = problems.Any(d => d.Severity == Severity.Error);
            IReadOnlyList<string> order = failed ? [] : result.GetValue(delete) ? graph.DeleteOrder() : graph.InstallOrder();
            if (result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintJson(output, new JsonObject
                {
                    ["order"] = JsonOut.Strings(order),
                    ["delete"] = result.GetValue(delete),
                    ["complete"] = !failed,
                    ["diagnostics"] = DiagnosticPrinter.ToJson(problems),
                });
            }
            else
            {
                DiagnosticPrinter.PrintHuman(error, problems);
                for (var i = 0; i < order.Count; i++)
                {
                    output.WriteLine($"{i + 1,4}  {order[i]}");
                }
            }

            return workspace.HasMissingPaths ? ExitCodes.Usage : failed ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }
}
