using System.Collections.Concurrent;
using Tappaas.Platform.Embedded.Network.Firewall;

namespace Tappaas.Platform.Embedded.Network;

/// <summary>
/// One site's refreshes in turn, with tickets: a caller asks (after its change), waits for the lock, and is answered by
/// any refresh that began after it asked, since that one saw its change.
/// </summary>
internal sealed class RefreshGate
{
    private static readonly ConcurrentDictionary<string, RefreshGate> Sites = new(StringComparer.Ordinal);
    private long _asked;
    private long _done;
    private FirewallPolicy? _policy;

    public static RefreshGate Of(string siteFolder) => Sites.GetOrAdd(Path.GetFullPath(siteFolder), _ => new RefreshGate());

    public SemaphoreSlim Lock { get; } = new(1, 1);

    /// <summary>The last ticket handed out.</summary>
    public long Asked => Interlocked.Read(ref _asked);

    public long Ask() => Interlocked.Increment(ref _asked);

    /// <summary>The policy of a refresh that began after <paramref name="ticket"/> was asked, if one finished (call under the lock).</summary>
    public FirewallPolicy? Answered(long ticket) => _done >= ticket ? _policy : null;

    /// <summary>A refresh that began when <paramref name="covers"/> tickets were out finished (call under the lock).</summary>
    public void Done(long covers, FirewallPolicy policy)
    {
        if (covers > _done)
        {
            _done = covers;
            _policy = policy;
        }
    }
}
