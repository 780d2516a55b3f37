using System.Diagnostics;

namespace Tappaas.Engine.Apply;

/// <summary>
/// Traces of runs: one activity per run (<c>run install</c>) and, beneath it, one per step and one per undo, tagged with
/// the run, the module and the outcome. Recorded only while a listener is attached (the daemon's OTLP exporter).
/// </summary>
public static class RunTelemetry
{
    /// <summary>The activity source's name.</summary>
    public const string SourceName = "Tappaas.Engine";

    internal static readonly ActivitySource Source = new(SourceName);

    internal static Activity? Run(Abstractions.State.ApplyRecord run, ApplyPayload payload) =>
        Source.StartActivity($"run {run.Command}")?
            .SetTag("tappaas.run", run.Id).SetTag("tappaas.command", run.Command)
            .SetTag("tappaas.modules", string.Join(",", payload.Definitions.Keys.Concat(payload.Previous.Keys).Distinct(StringComparer.Ordinal)));

    internal static Activity? Step(ApplyStep step, string phase) =>
        Source.StartActivity($"{phase} {step.Address}")?
            .SetTag("tappaas.step", step.Index).SetTag("tappaas.module", step.Module).SetTag("tappaas.kind", step.Kind.ToString());

    internal static void End(Activity? activity, Abstractions.Providers.OperationResult result)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("tappaas.status", result.Status.ToString());
        if (!result.Succeeded)
        {
            activity.SetStatus(ActivityStatusCode.Error, result.Message);
        }
    }
}
