using System.CommandLine;
using Tappaas.Cli.Remote;
using Tappaas.Composition;

namespace Tappaas.Cli.Commands;

/// <summary>
/// <c>site backup</c> (the site itself into its restic repository: state store, config, CA, secrets, repository,
/// uploads; through the daemon when one serves the site) and <c>site restore --repository R --password-file F</c> (a
/// site brought back from it into a new folder, guests and all, in this process: there is no site to ask yet).
/// </summary>
internal static class SiteCommands
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var backup = new Command("backup", "Back up the site itself now (state store, config folder, CA, secrets, module repository, uploads) into its backup repository.");
        backup.Options.Add(CommonOptions.Json);
        backup.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (api, token) =>
            BackupCommands.Report(output, error, "site", await api.BackupSiteAsync(token), result.GetValue(CommonOptions.Json)), ct));

        var repository = new Option<string>("--repository") { Description = "The restic repository holding the site's backups (a folder, or a rest:/s3:/sftp: URL).", Required = true };
        var password = new Option<string>("--password-file") { Description = "A file holding the repository's password (the old site's secret restic-password).", Required = true };
        var snapshot = new Option<string?>("--snapshot") { Description = "The site backup to restore (an id or its prefix; default the newest)." };
        var restore = new Command("restore", "Bring a site back from its backup into a new site folder (--site, default the default site): files, state, the modules' disks, then their guests.")
        {
            repository, password, snapshot,
        };
        restore.SetAction(async (result, ct) =>
        {
            var target = SiteOptions.Root(result);
            var problem = await SiteRestore.RunAsync(result.GetValue(repository)!, result.GetValue(password)!, target, result.GetValue(snapshot), output.WriteLine, ct);
            if (problem is not null)
            {
                error.WriteLine($"error: {problem}");
                return ExitCodes.Failed;
            }

            output.WriteLine($"the site in {target} is back; start its daemon with: tappaas up --data-dir {target}");
            return ExitCodes.Ok;
        });

        return new Command("site", "The site itself: back it up, restore it elsewhere.") { backup, restore };
    }
}
