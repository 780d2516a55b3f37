using System.CommandLine;
using Tappaas.Cli.Output;
using Tappaas.Cli.Remote;

namespace Tappaas.Cli.Commands;

/// <summary><c>import DIR</c> and <c>export DIR</c>: move a site to and from upstream's config folder layout.</summary>
internal static class TransferCommands
{
    public static Command Import(TextWriter output, TextWriter error)
    {
        var folder = new Argument<string>("DIR") { Description = "An upstream TAPPaaS config folder (configuration.json, zones.json, <module>.json, <module>.json.orig)." };
        var command = new Command("import", "Record the modules of an existing TAPPaaS config folder in this site (runs nothing).") { folder, CommonOptions.Json };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (api, token) =>
        {
            var answer = await api.ImportAsync(Path.GetFullPath(result.GetValue(folder)!), token);
            var json = result.GetValue(CommonOptions.Json);
            if (!json && answer.Value is { } done)
            {
                foreach (var recorded in done.Diagnostics.Where(d => d.Severity == "info"))
                {
                    output.WriteLine($"  {recorded.Message}");
                }
            }

            return ApiPrinter.Outcome(output, error, answer, json, "import");
        }, ct));
        return command;
    }

    public static Command Export(TextWriter output, TextWriter error)
    {
        var folder = new Argument<string>("DIR") { Description = "Where to write the config folder." };
        var command = new Command("export", "Write the site's configuration, zones and installed modules in the upstream config folder layout.") { folder, CommonOptions.Json };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (api, token) =>
        {
            var answer = await api.ExportAsync(Path.GetFullPath(result.GetValue(folder)!), token);
            if (answer.Value is not { } done)
            {
                return Dispatch.Fail(error, answer.Problem!);
            }

            if (result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintRecord(output, done);
            }
            else
            {
                output.WriteLine($"exported {done.Modules} module(s) to {result.GetValue(folder)}");
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
