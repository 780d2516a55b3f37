namespace Tappaas.Daemon;

/// <summary>
/// Back-off per part of a loop (a platform, the backups, one module): after a failure the part waits one interval,
/// doubling with each further failure up to <see cref="Max"/>; a success forgets it. Read on the injected clock.
/// </summary>
internal sealed class BackOff(TimeProvider time, Func<TimeSpan> interval)
{
    /// <summary>The longest a failing part waits before it is tried again.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, (int Failures, DateTimeOffset Next)> _parts = new(StringComparer.Ordinal);

    /// <summary>True while <paramref name="part"/> waits after a failure.</summary>
    public bool Waiting(string part) => _parts.TryGetValue(part, out var b) && time.GetUtcNow() < b.Next;

    public void Succeeded(string part) => _parts.Remove(part);

    /// <summary>Records a failure; returns how many in a row and how long the part now waits.</summary>
    public (int Failures, TimeSpan Wait) Failed(string part)
    {
        var failures = (_parts.TryGetValue(part, out var b) ? b.Failures : 0) + 1;
        var wait = TimeSpan.FromTicks(Math.Min(Max.Ticks, interval().Ticks * (1L << Math.Min(failures - 1, 20))));
        _parts[part] = (failures, time.GetUtcNow() + wait);
        return (failures, wait);
    }
}
