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
        output.WriteLine(outcome.Status switch
        {
            ApplyStatus.Succeeded => $"{verb}: done (run {outcome.ApplyId})",
            ApplyStatus.SucceededWithWarnings => $"{verb}: done with warnings (run {outcome.ApplyId})",
            ApplyStatus.RolledBack => $"{verb}: failed and rolled back (run {outcome.ApplyId}; 'tappaas journal {outcome.ApplyId}' shows every step)",
            _ => $"{verb}: refused, nothing was changed",
        });
    }
}
