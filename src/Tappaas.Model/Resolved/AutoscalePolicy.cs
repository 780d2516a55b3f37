using System.Globalization;
using Tappaas.Model.Json;

namespace Tappaas.Model.Resolved;

/// <summary>
/// Automatic scaling between <see cref="Min"/> and <see cref="Max"/> replicas on a metric per replica — <c>cpu</c>
/// (percent of one core) or <c>rps</c> (proxied requests per second) — against <see cref="Target"/>. A scale up needs the
/// metric above target for the whole <see cref="ScaleUpWindow"/>, a scale down below it for <see cref="ScaleDownWindow"/>,
/// so short spikes and dips do not make it flap.
/// </summary>
public sealed record AutoscalePolicy
{
    public int Min { get; init; } = 1;

    public int Max { get; init; } = 1;

    /// <summary><c>cpu</c> or <c>rps</c>.</summary>
    public string Metric { get; init; } = "cpu";

    public double Target { get; init; } = 70;

    public TimeSpan ScaleUpWindow { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ScaleDownWindow { get; init; } = TimeSpan.FromMinutes(5);

    public static AutoscalePolicy? From(JObject? o) => o is null ? null : new AutoscalePolicy
    {
        Min = (int)(Lenient.Integer(o["min"]) ?? 1),
        Max = (int)(Lenient.Integer(o["max"]) ?? Lenient.Integer(o["min"]) ?? 1),
        Metric = Lenient.Text(o["metric"]) ?? "cpu",
        Target = double.TryParse(o["target"]?.ScalarText, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) ? t : 70,
        ScaleUpWindow = Durations.Parse(Lenient.Text(o["scaleUpWindow"]), TimeSpan.FromSeconds(30)),
        ScaleDownWindow = Durations.Parse(Lenient.Text(o["scaleDownWindow"]), TimeSpan.FromMinutes(5)),
    };
}
