using System.Globalization;
using Tappaas.Model.Resolved;

namespace Tappaas.Daemon.Scaling;

/// <summary>A scaling decision: the new number of replicas and why (the metric that caused it).</summary>
public sealed record ScaleDecision(int From, int To, string Reason);

/// <summary>
/// Decides a module's replicas from samples of its metric per replica (pure; the caller brings the clock). Each sample
/// recommends <c>ceil(replicas × metric / target)</c> within min and max. A scale up happens once every recommendation
/// of the last <see cref="AutoscalePolicy.ScaleUpWindow"/> asks for more (to the smallest of them); a scale down once every
/// recommendation of the last <see cref="AutoscalePolicy.ScaleDownWindow"/> asks for fewer (to the largest of them) — so
/// a spike or a lull shorter than its window changes nothing. Replicas outside min..max are brought inside at once.
/// </summary>
public sealed class AutoscaleDecider(AutoscalePolicy spec)
{
    private readonly List<(DateTimeOffset At, int Recommended, double Metric)> _samples = [];
    private DateTimeOffset? _first;

    public AutoscalePolicy Spec { get; } = spec;

    /// <summary>Records a sample; returns a decision when one is due.</summary>
    public ScaleDecision? Observe(DateTimeOffset now, int replicas, double metricPerReplica)
    {
        _first ??= now;
        if (replicas < Spec.Min || replicas > Spec.Max)
        {
            var bounded = Math.Clamp(replicas, Spec.Min, Spec.Max);
            Reset();
            return new ScaleDecision(replicas, bounded, $"{replicas} replicas is outside autoscale.min..max ({Spec.Min}..{Spec.Max})");
        }

        var recommended = Math.Clamp((int)Math.Ceiling(Math.Max(replicas, 1) * metricPerReplica / Spec.Target - 1e-9), Spec.Min, Spec.Max);
        _samples.Add((now, recommended, metricPerReplica));
        var horizon = Spec.ScaleUpWindow > Spec.ScaleDownWindow ? Spec.ScaleUpWindow : Spec.ScaleDownWindow;
        _samples.RemoveAll(s => now - s.At > horizon);

        if (Window(now, Spec.ScaleUpWindow) is { Count: > 0 } up && up.All(s => s.Recommended > replicas))
        {
            return Decide(replicas, up.Min(s => s.Recommended), up, "above", Spec.ScaleUpWindow);
        }

        if (Window(now, Spec.ScaleDownWindow) is { Count: > 0 } down && down.All(s => s.Recommended < replicas))
        {
            return Decide(replicas, down.Max(s => s.Recommended), down, "below", Spec.ScaleDownWindow);
        }

        return null;
    }

    /// <summary>Forgets the samples (after a change of replicas: the metric per replica is measured again).</summary>
    public void Reset()
    {
        _samples.Clear();
        _first = null;
    }

    // The samples of the last window, only once observation has covered the whole window.
    private List<(DateTimeOffset At, int Recommended, double Metric)>? Window(DateTimeOffset now, TimeSpan window) =>
        now - _first < window ? null : [.. _samples.Where(s => now - s.At <= window)];

    private ScaleDecision Decide(int replicas, int to, List<(DateTimeOffset At, int Recommended, double Metric)> window, string side, TimeSpan length)
    {
        var unit = Spec.Metric == "cpu" ? "% CPU" : " requests/s";
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"{Spec.Metric} per replica {window[^1].Metric:0.#}{unit} (from {window.Min(s => s.Metric):0.#} to {window.Max(s => s.Metric):0.#}) stayed {side} the target {Spec.Target:0.#}{unit} for {length.TotalSeconds:0} s");
        Reset();
        return new ScaleDecision(replicas, to, reason);
    }
}
