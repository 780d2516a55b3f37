using Tappaas.Engine.Apply;
using Tappaas.Model.Diagnostics;

namespace Tappaas.Cli.Output;

/// <summary>Prints the outcome of a mutating command.</summary>
internal static class OutcomePrinter
{
    public static void Print(TextWriter output, TextWriter error, ApplyOutcome outcome, bool json, string verb)
    {
        if (json)
        {
            DiagnosticPrinter.PrintJson(output, new
            {
                status = outcome.Status.ToString().ToLowerInvariant(),
                applyId = outcome.ApplyId,
                diagnostics = outcome.Diagnostics.Select(DiagnosticPrinter.ToJson),
            });
            return;
        }

        DiagnosticPrinter.PrintHuman(error, outcome.Diagnostics.Where(d => d.Severity != Severity.Info));
        var run = outcome.ApplyId is { } id ? $" (run {id})" : ""; // import, say, is no journalled run
        output.WriteLine(outcome.Status switch
        {
            ApplyStatus.Succeeded => $"{verb}: done{run}",
            ApplyStatus.SucceededWithWarnings => $"{verb}: done with warnings{run}",
            ApplyStatus.RolledBack => $"{verb}: failed and rolled back (run {outcome.ApplyId}; 'tappaas journal {outcome.ApplyId}' shows every step)",
            _ => $"{verb}: refused, nothing was changed",
        });
    }
}
