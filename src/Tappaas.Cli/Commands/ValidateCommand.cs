using System.CommandLine;
using System.Text.Json.Nodes;
using Tappaas.Cli.Output;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Loading;
using Tappaas.Model.Validation;

namespace Tappaas.Cli.Commands;

/// <summary><c>tappaas validate PATH...</c>: checks module, zones, configuration and catalog files and reports every problem.</summary>
internal static class ValidateCommand
{
    public static Command Create(TextWriter output)
    {
        var paths = CommonOptions.Paths();
        var command = new Command("validate", "Check module, zones, configuration and catalog files; report every problem at once.")
        {
            paths, CommonOptions.Json, CommonOptions.Zones, CommonOptions.Configuration, CommonOptions.Installed,
        };
        command.SetAction(result => Run(output, result.GetValue(paths)!, result.GetValue(CommonOptions.Json), CommonOptions.WorkspaceOptions(result)));
        return command;
    }

    private static int Run(TextWriter output, string[] paths, bool json, WorkspaceOptions options)
    {
        var workspace = WorkspaceLoader.Load(paths, options);
        var result = WorkspaceValidator.Validate(workspace);
        var diagnostics = result.Diagnostics.Sorted();
        var errors = diagnostics.Count(d => d.Severity == Severity.Error);
        var warnings = diagnostics.Count(d => d.Severity == Severity.Warning);
        var kinds = workspace.Files.GroupBy(f => f.Kind).OrderBy(g => g.Key).ToDictionary(g => JsonName(g.Key), g => g.Count());

        if (json)
        {
            DiagnosticPrinter.PrintJson(output, new JsonObject
            {
                ["diagnostics"] = DiagnosticPrinter.ToJson(diagnostics),
                ["summary"] = new JsonObject
                {
                    ["files"] = workspace.Files.Count,
                    ["modules"] = workspace.Modules.Count,
                    ["errors"] = errors,
                    ["warnings"] = warnings,
                    ["infos"] = diagnostics.Count - errors - warnings,
                    ["kinds"] = new JsonObject([.. kinds.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]),
                    ["zones"] = workspace.Zones?.File,
                    ["valid"] = errors == 0,
                },
            });
        }
        else
        {
            DiagnosticPrinter.PrintHuman(output, diagnostics);
            var kindText = string.Join(", ", kinds.Select(k => $"{k.Value} {k.Key}"));
            output.WriteLine($"{workspace.Files.Count} files ({kindText}): {errors} error(s), {warnings} warning(s)");
        }

        return workspace.HasMissingPaths ? ExitCodes.Usage : errors > 0 ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static string JsonName(JsonFileKind kind) => char.ToLowerInvariant(kind.ToString()[0]) + kind.ToString()[1..];
}
