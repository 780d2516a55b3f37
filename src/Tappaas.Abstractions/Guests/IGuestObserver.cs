namespace Tappaas.Abstractions.Guests;

/// <summary>
/// A platform's guests as they are: the current snapshot, and a stream that yields a new one whenever one changes (the
/// daemon's status, metrics and autoscaler read this; no daemon code knows how a platform runs its guests).
/// </summary>
public interface IGuestObserver
{
    /// <summary>The platform's name (embedded, proxmox).</summary>
    string Provider { get; }

    /// <summary>
    /// Every guest of the site on this platform, now; with <paramref name="withUsage"/> also the memory and CPU each
    /// uses (read from the host per guest: metrics and the autoscaler want them, a status read does not).
    /// </summary>
    IReadOnlyList<GuestSnapshot> Observe(bool withUsage);

    /// <summary>The current snapshot, then a new one after each change, until cancelled.</summary>
    IAsyncEnumerable<IReadOnlyList<GuestSnapshot>> WatchAsync(CancellationToken cancellationToken);
}
