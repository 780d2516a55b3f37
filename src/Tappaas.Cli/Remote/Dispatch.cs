using System.CommandLine;
using Tappaas.Cli.Commands;
using Tappaas.Client;
using Tappaas.Composition;

namespace Tappaas.Cli.Remote;

/// <summary>Runs a site command through the daemon's API when one serves the site, else in-process.</summary>
internal static class Dispatch
{
    public static async Task<int> RunAsync(
        ParseResult result, TextWriter error,
        Func<TappaasClient, CancellationToken, Task<int>> remote,
        Func<SiteSession, CancellationToken, Task<int>> local,
        CancellationToken cancellationToken)
    {
        var (connection, problem) = ApiOptions.Resolve(result);
        if (problem is not null)
        {
            error.WriteLine($"error: {problem}");
            return ExitCodes.Usage;
        }

        if (connection is null)
        {
            return await SiteCommand.RunAsync(result, error, local, cancellationToken);
        }

        if (connection.Token is null)
        {
            error.WriteLine($"error: the daemon at {connection.Url} needs an API token: set TAPPAAS_TOKEN, or pass --token-file FILE (or --local to open the site directly)");
            return ExitCodes.Failed;
        }

        using var client = new TappaasClient(connection);
        return await remote(client, cancellationToken);
    }

    /// <summary>Prints a problem the daemon answered with (and its diagnostics) and returns the exit code.</summary>
    public static int Fail(TextWriter error, ApiProblem problem)
    {
        error.WriteLine($"error: {problem}");
        foreach (var d in problem.Diagnostics.Where(d => d.Severity != "info"))
        {
            ApiPrinter.Diagnostic(error, d);
        }

        return ExitCodes.Failed;
    }
}
