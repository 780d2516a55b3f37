using System.Diagnostics;
using Tappaas.Abstractions.State;

namespace Tappaas.Engine.Apply;

/// <summary>
/// The site's apply lock with a lease: renewed while the holder works, taken over when the lease ran out or the
/// holder's process on this host is gone (a crashed holder cannot keep it).
/// </summary>
public sealed class ApplyLock : IAsyncDisposable
{
    private static readonly TimeSpan s_lease = TimeSpan.FromSeconds(60);
    private readonly IStateStore _store;
    private readonly TimeProvider _time;
    private readonly ITimer _renewal;

    private ApplyLock(IStateStore store, TimeProvider time, string owner)
    {
        _store = store;
        _time = time;
        Owner = owner;
        _renewal = time.CreateTimer(_ => _ = RenewAsync(), null, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15));
    }

    /// <summary>This holder's id.</summary>
    public string Owner { get; }

    /// <summary>Takes the lock, or returns the holder that has it.</summary>
    public static async Task<(ApplyLock? Lock, LockHolder? HeldBy)> AcquireAsync(IStateStore store, TimeProvider time, string command, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var me = new LockHolder($"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}", Environment.MachineName, Environment.ProcessId, command, now, now + s_lease);
        var holder = await store.TryAcquireLockAsync(me, IsDead, cancellationToken);
        return holder is null ? (new ApplyLock(store, time, me.Owner), null) : (null, holder);
    }

    /// <summary>True when the holder's process is on this host and no longer runs.</summary>
    public static bool IsDead(LockHolder holder)
    {
        if (holder.Host != Environment.MachineName)
        {
            return false;
        }

        try
        {
            using var p = Process.GetProcessById(holder.ProcessId);
            return p.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    private async Task RenewAsync()
    {
        try
        {
            await _store.RenewLockAsync(Owner, _time.GetUtcNow() + s_lease, CancellationToken.None);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException or IOException)
        {
            // A missed renewal only shortens the lease; the next tick tries again.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _renewal.DisposeAsync();
        await _store.ReleaseLockAsync(Owner, CancellationToken.None);
    }
}
