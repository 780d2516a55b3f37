using Tappaas.Cli.Output;
using Tappaas.Client;

namespace Tappaas.Cli.Remote;

/// <summary>Prints the API's answers the way the in-process commands print the engine's.</summary>
internal static class ApiPrinter
{
    public static void Diagnostic(TextWriter output, DiagnosticV1 d)
    {
        var where = d.File is null ? "" : $"{d.File}{(d.Line is { } l and > 0 ? ":" + l : "")}: ";
        output.WriteLine($"{where}{d.Severity} {d.Code}: {d.Message}");
        if (d.Hint.Length > 0)
        {
            output.WriteLine($"    hint: {d.Hint}");
        }
    }

    /// <summary>
    /// The outcome of a run: done (exit 0), or the problem. <paramref name="rolledBackExit"/> is the exit code when a
    /// step failed and the run was rolled back (upstream's update exits 2 then).
    /// </summary>
    public static int Outcome(TextWriter output, TextWriter error, ApiResult<ApplyResultV1> result, bool json, string verb, int rolledBackExit = ExitCodes.Failed)
    {
        if (result.Value is { } done)
        {
            if (json)
            {
                DiagnosticPrinter.PrintJson(output, new { status = Status(done.Status), applyId = done.RunId, diagnostics = done.Diagnostics });
                return ExitCodes.Ok;
            }

            foreach (var d in done.Diagnostics.Where(d => d.Severity == "warning"))
            {
                Diagnostic(error, d);
            }

            output.WriteLine(done.Status == "SucceededWithWarnings" ? $"{verb}: done with warnings (run {done.RunId})" : $"{verb}: done (run {done.RunId})");
            return ExitCodes.Ok;
        }

        var problem = result.Problem!;
        var rolledBack = problem.Status == 502;
        if (json)
        {
            DiagnosticPrinter.PrintJson(output, new
            {
                status = rolledBack ? "rolledback" : problem.Status == 0 ? "unreachable" : "refused",
                applyId = problem.RunId,
                httpStatus = problem.Status,
                title = problem.Title,
                detail = problem.Detail,
                diagnostics = problem.Diagnostics,
            });
            return rolledBack ? rolledBackExit : ExitCodes.Failed;
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

        error.WriteLine($"error: {problem}");
        output.WriteLine(problem.Status == 0 ? $"{verb}: the daemon could not be reached" : $"{verb}: refused, nothing was changed");
        return ExitCodes.Failed;
    }

    private static string Status(string s) => s.ToLowerInvariant();
}
