using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Tappaas.Cli.Commands;
using Tappaas.Client;

namespace Tappaas.Cli.Remote;

/// <summary>
/// Runs a site command against the site's API: through the daemon when one serves the site (or <c>--api</c> names one),
/// else in-process on the site folder — the same <see cref="ISiteApi"/> either way, so a command has one body.
/// </summary>
internal static class Dispatch
{
    public static async Task<int> RunAsync(ParseResult result, TextWriter error, Func<ISiteApi, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var (connection, problem) = ApiOptions.Resolve(result);
        if (connection is null && problem is null)
        {
            return await SiteCommand.RunAsync(result, error, (session, token) => body(session.Services.GetRequiredService<ISiteApi>(), token), cancellationToken);
        }

        if (Refused(connection, problem, error, " (or --local to open the site directly)") is { } code)
        {
            return code;
        }

        using var client = new TappaasClient(connection!);
        return await body(client, cancellationToken);
    }

    /// <summary>Runs a command only the daemon can answer (<paramref name="what"/> says what it is about, for the error without one).</summary>
    public static async Task<int> RunOnDaemonAsync(ParseResult result, TextWriter error, string what, Func<TappaasClient, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var (connection, problem) = ApiOptions.Resolve(result);
        if (connection is null && problem is null)
        {
            error.WriteLine($"error: {what} belong to the daemon, and none serves this site: start it (tappaas up), or name it with --api URL");
            return ExitCodes.Failed;
        }

        if (Refused(connection, problem, error, "") is { } code)
        {
            return code;
        }

        using var client = new TappaasClient(connection!);
        return await body(client, cancellationToken);
    }

    private static int? Refused(ApiConnection? connection, string? problem, TextWriter error, string otherwise)
    {
        if (problem is not null)
        {
            error.WriteLine($"error: {problem}");
            return ExitCodes.Usage;
        }

        if (connection!.Token is null)
        {
            error.WriteLine($"error: the daemon at {connection.Url} needs an API token: set TAPPAAS_TOKEN, or pass --token-file FILE{otherwise}");
            return ExitCodes.Failed;
        }

        return null;
    }

    /// <summary>Prints a problem (and its diagnostics) and returns the exit code: 2 for a wrong argument, else 1.</summary>
    public static int Fail(TextWriter error, ApiProblem problem)
    {
        foreach (var d in problem.Diagnostics.Where(d => d.Severity != "info"))
        {
            ApiPrinter.Diagnostic(error, d);
        }

        if (problem.IsBadArgument)
        {
            error.WriteLine($"error: {problem.Detail}"); // as the in-process check of an argument words it
            return ExitCodes.Usage;
        }

        if (!problem.Diagnostics.Any(d => d.Severity == "error"))
        {
            error.WriteLine($"error: {problem}"); // the diagnostics above already say what is wrong
        }

        return ExitCodes.Failed;
    }
}
