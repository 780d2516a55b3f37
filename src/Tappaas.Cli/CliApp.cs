using System.CommandLine;
using Tappaas.Cli.Commands;

namespace Tappaas.Cli;

/// <summary>Builds the command tree and maps usage errors and unexpected failures to exit codes.</summary>
internal static class CliApp
{
    public static int Run(string[] args, TextWriter output, TextWriter error, TimeProvider time)
    {
        var verbose = args.Contains("--verbose");
        var root = new RootCommand("TAPPaaS: a trusted, automated, private platform as a service on hardware you own.")
        {
            ValidateCommand.Create(output),
            GraphCommand.Create(output, error),
            OrderCommand.Create(output, error),
            InitCommand.Create(output),
            LifecycleCommands.Install(output, error),
            LifecycleCommands.Update(output, error),
            LifecycleCommands.Rollback(output, error),
            LifecycleCommands.Scale(output, error),
            LifecycleCommands.Promote(output, error),
            LifecycleCommands.Resume(output, error),
            DeleteTestCommands.Delete(output, error),
            DeleteTestCommands.Test(output, error),
            PlanCommands.Plan(output, error),
            PlanCommands.Apply(output, error),
            InspectCommands.Status(output, error),
            InspectCommands.History(output, error),
            InspectCommands.Journal(output, error),
            TransferCommands.Import(output, error),
            TransferCommands.Export(output, error),
            ClusterCommands.Nodes(output, error),
            ClusterCommands.Migrate(output, error),
            ClusterCommands.Evacuate(output, error),
            LogsCommand.Create(output, error, time),
            EventsCommand.Create(output, error),
            SecretCommands.Create(output, error),
            ImageCommands.Create(output, error),
            RegistryCommands.Create(output, error),
            TokenCommands.Create(output, error),
            SchemaCommand.Create(output),
            CompletionCommand.Create(output),
            BackupCommands.Backup(output, error),
            BackupCommands.Backups(output, error),
            BackupCommands.Restore(output, error),
            SiteCommands.Create(output, error),
            UpCommands.Up(output, error),
            UpCommands.Down(output, error, time),
        };
        root.Options.Add(SiteOptions.Site);
        root.Options.Add(Remote.ApiOptions.Api);
        root.Options.Add(Remote.ApiOptions.TokenFile);
        root.Options.Add(Remote.ApiOptions.Local);
        root.Options.Add(new Option<bool>("--verbose") { Description = "Show stack traces of unexpected errors.", Recursive = true });

        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var e in parsed.Errors)
                {
                    error.WriteLine($"error: {e.Message}");
                }

                error.WriteLine("Run 'tappaas --help' (or 'tappaas COMMAND --help') for usage.");
                return ExitCodes.Usage;
            }

            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex)
        {
            error.WriteLine($"unexpected error: {ex.Message}");
            error.WriteLine(verbose ? ex.ToString() : "Run again with --verbose for details, and report it if it persists.");
            return ExitCodes.Failed;
        }
    }
}
