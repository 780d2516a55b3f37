using System.Text.Json.Nodes;
using Tappaas.Cli.Output;
using Tappaas.Client;

namespace Tappaas.Cli.Remote;

/// <summary>Prints the API's answers the way the in-process commands print the engine's.</summary>
internal static class ApiPrinter
{
    public static void Diagnostic(TextWriter output, DiagnosticV1 d) => DiagnosticPrinter.PrintHuman(output, [d]);

    /// <summary>
    /// The outcome of a run: done (exit 0), or the problem. <c>rolledBackExit</c> is the exit code when a step failed and
    /// the run was rolled back (upstream's update exits 2 then); <c>warningsExit</c> the one when it succeeded with warnings
    /// (upstream's update exits 1 when a non-fatal check failed).
    /// </summary>
    public static int Outcome(TextWriter output, TextWriter error, ApiResult<ApplyResultV1> result, bool json, string verb, int rolledBackExit = ExitCodes.Failed,
        int warningsExit = ExitCodes.Ok)
    {
        if (result.Value is { } done)
        {
            var exit = done.Status == "SucceededWithWarnings" ? warningsExit : ExitCodes.Ok;
            if (json)
            {
                DiagnosticPrinter.PrintJson(output, new JsonObject { ["status"] = Status(done.Status), ["applyId"] = done.RunId, ["diagnostics"] = DiagnosticPrinter.ToJson(done.Diagnostics) });
                return exit;
            }

            foreach (var d in done.Diagnostics.Where(d => d.Severity == "warning"))
            {
                Diagnostic(error, d);
            }

            var run = done.RunId is { } id ? $" (run {id})" : "";
            output.WriteLine(done.Status == "SucceededWithWarnings" ? $"{verb}: done with warnings{run}" : $"{verb}: done{run}");
            return exit;
        }

        var problem = result.Problem!;
        if (problem.IsBadArgument && !json)
        {
            return Dispatch.Fail(error, problem);
        }

        var rolledBack = problem.Status == 502;
        if (json)
        {
            DiagnosticPrinter.PrintJson(output, new JsonObject
            {
                ["status"] = rolledBack ? "rolledback" : problem.Status == 0 ? "unreachable" : "refused",
                ["applyId"] = problem.RunId,
                ["httpStatus"] = problem.Status,
                ["title"] = problem.Title,
                ["detail"] = problem.Detail,
                ["diagnostics"] = DiagnosticPrinter.ToJson(problem.Diagnostics),
            });
            return rolledBack ? rolledBackExit : problem.IsBadArgument ? ExitCodes.Usage : ExitCodes.Failed;
        }

        foreach (var d in problem.Diagnostics.Where(d => d.Severity != "info"))
        {
            Diagnostic(error, d);
        }

        if (rolledBack)
        {
            output.WriteLine($"{verb}: failed and rolled back (run {problem.RunId}; 'tappaas journal {problem.RunId}' shows every step)");
            return rolledBackExit;
        }

        if (!problem.Diagnostics.Any(d => d.Severity == "error"))
        {
            error.WriteLine($"error: {problem}"); // the diagnostics above already say what is wrong
        }

        output.WriteLine(problem.Status == 0 ? $"{verb}: the daemon could not be reached" : $"{verb}: refused, nothing was changed");
        return ExitCodes.Failed;
    }

    private static string Status(string s) => s.ToLowerInvariant();
}
