using System.CommandLine;
using Tappaas.Cli.Output;
using Tappaas.Engine.Apply;

namespace Tappaas.Cli.Commands;

/// <summary><c>import DIR</c> and <c>export DIR</c>: move a site to and from upstream's config folder layout.</summary>
internal static class TransferCommands
{
    public static Command Import(TextWriter output, TextWriter error)
    {
        var folder = new Argument<string>("DIR") { Description = "An upstream TAPPaaS config folder (configuration.json, zones.json, <module>.json, <module>.json.orig)." };
        var command = new Command("import", "Record the modules of an existing TAPPaaS config folder in this site (runs nothing).") { folder, CommonOptions.Json };
        command.SetAction((result, ct) => SiteCommand.RunAsync(result, error, async (session, token) =>
        {
            var outcome = await session.Engine.ImportAsync(result.GetValue(folder)!, token);
            if (!result.GetValue(CommonOptions.Json))
            {
                foreach (var recorded in outcome.Diagnostics.Where(d => d.Severity == Model.Diagnostics.Severity.Info))
                {
                    output.WriteLine($"  {recorded.Message}");
                }
            }

            OutcomePrinter.Print(output, error, outcome, result.GetValue(CommonOptions.Json), "import");
            return outcome.Status == ApplyStatus.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
        }, ct));
        return command;
    }

    public static Command Export(TextWriter output, TextWriter error)
    {
        var folder = new Argument<string>("DIR") { Description = "Where to write the config folder." };
        var command = new Command("export", "Write the site's configuration, zones and installed modules in the upstream config folder layout.") { folder };
        command.SetAction((result, ct) => SiteCommand.RunAsync(result, error, async (session, token) =>
        {
            var count = await session.Engine.ExportAsync(result.GetValue(folder)!, token);
            output.WriteLine($"exported {count} module(s) to {result.GetValue(folder)}");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
