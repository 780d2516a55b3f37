using System.CommandLine;
using System.Text.Json.Nodes;
using Tappaas.Cli.Output;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Graph;
using Tappaas.Model.Loading;

namespace Tappaas.Cli.Commands;

/// <summary><c>tappaas graph PATH...</c>: the service dependency graph of a set of modules.</summary>
internal static class GraphCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var paths = CommonOptions.Paths();
        var format = new Option<GraphFormat>("--format") { Description = "Output format: text, json, dot or mermaid.", DefaultValueFactory = _ => GraphFormat.Text };
        var dependents = new Option<string?>("--dependents-of") { Description = "Print only the modules that depend on this module (directly or through others)." };
        var command = new Command("graph", "Show which module provides each service the others depend on.")
        {
            paths, format, dependents, CommonOptions.Json, CommonOptions.Installed,
        };
        command.SetAction(result =>
        {
            var workspace = WorkspaceLoader.Load(result.GetValue(paths)!, CommonOptions.WorkspaceOptions(result));
            var graph = DependencyGraph.Build(workspace.Modules, workspace.Installed, Severity.Warning);
            var chosen = result.GetValue(CommonOptions.Json) ? GraphFormat.Json : result.GetValue(format);
            var problems = workspace.Diagnostics.Where(d => d.Severity == Severity.Error).Concat(graph.Diagnostics).ToList();
            DiagnosticPrinter.PrintHuman(error, problems);
            if (workspace.HasMissingPaths)
            {
                return ExitCodes.Usage;
            }

            if (result.GetValue(dependents) is { } target)
            {
                if (!graph.Modules.Contains(target))
                {
                    error.WriteLine($"error: module \"{target}\" is not in the given paths");
                    return ExitCodes.Usage;
                }

                var direct = graph.DependentsOf(target);
                var all = graph.DependentsOf(target, transitive: true);
                if (chosen == GraphFormat.Json)
                {
                    DiagnosticPrinter.PrintJson(output, new JsonObject { ["module"] = target, ["direct"] = JsonOut.Strings(direct), ["all"] = JsonOut.Strings(all) });
                }
                else
                {
                    foreach (var m in all)
                    {
                        output.WriteLine(direct.Contains(m) ? m : $"{m} (indirectly)");
                    }
                }

                return problems.Any(d => d.Severity == Severity.Error) ? ExitCodes.Failed : ExitCodes.Ok;
            }

            output.Write(GraphRenderer.Render(graph, chosen));
            return problems.Any(d => d.Severity == Severity.Error) ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }
}
