using System.Globalization;
using Tappaas.Model.Json;

namespace Tappaas.Model.Resolved;

/// <summary>Restart policy (Nomad's vocabulary): at most <see cref="Attempts"/> restarts within <see cref="Interval"/>, each after an exponentially growing <see cref="Delay"/> with jitter, then fail.</summary>
public sealed record RestartPolicy
{
    public int Attempts { get; init; } = 5;

    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    public double Jitter { get; init; } = 0.2;

    public static RestartPolicy From(JObject? o) => o is null ? new() : new()
    {
        Attempts = (int)(Lenient.Integer(o["attempts"]) ?? 5),
        Interval = Durations.Parse(Lenient.Text(o["interval"]), TimeSpan.FromMinutes(5)),
        Delay = Durations.Parse(Lenient.Text(o["delay"]), TimeSpan.FromMilliseconds(250)),
        MaxDelay = Durations.Parse(Lenient.Text(o["maxDelay"]), TimeSpan.FromSeconds(30)),
        Jitter = double.TryParse(Lenient.Text(o["jitter"]), NumberStyles.Float, CultureInfo.InvariantCulture, out var j) ? j : 0.2,
    };

    /// <summary>The delay before restart number <paramref name="attempt"/> (1-based), with jitter from <paramref name="random"/>.</summary>
    public TimeSpan DelayFor(int attempt, Random random)
    {
        var baseMs = Math.Min(Delay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1)), MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(baseMs * (1 + Jitter * (random.NextDouble() * 2 - 1)));
    }
}
