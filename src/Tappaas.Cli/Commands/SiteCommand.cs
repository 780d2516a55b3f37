using System.CommandLine;
using Tappaas.Cli.Output;
using Tappaas.Composition;

namespace Tappaas.Cli.Commands;

/// <summary>Shared plumbing of site commands: open the site, turn errors into messages and exit codes, cancel on Ctrl-C.</summary>
internal static class SiteCommand
{
    public static async Task<int> RunAsync(ParseResult result, TextWriter error, Func<SiteSession, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var (session, problem) = await SiteSession.OpenAsync(SiteOptions.Root(result), cancellationToken);
        if (session is null)
        {
            error.WriteLine($"error: {problem}");
            return ExitCodes.Failed;
        }

        await using (session)
        {
            try
            {
                return await body(session, cancellationToken);
            }
            catch (Exception ex) when (session.StoreFailure(ex) is { } words)
            {
                error.WriteLine($"error: {words}"); // a full disk or a damaged store: what to do, not SQLite's words
                return ExitCodes.Failed;
            }
        }
    }

    public static void Refused(TextWriter error, string message, string hint) =>
        DiagnosticPrinter.PrintHuman(error, [new Client.DiagnosticV1("error", SiteApi.NeedsConfirmation, message, hint, null, null)]);
}
