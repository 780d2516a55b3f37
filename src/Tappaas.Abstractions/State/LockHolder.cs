namespace Tappaas.Abstractions.State;

/// <summary>Who holds the site's apply lock.</summary>
/// <param name="Owner">A unique id of the holder (one per process run).</param>
/// <param name="Host">Host name.</param>
/// <param name="ProcessId">Process id on that host.</param>
/// <param name="Command">What it is doing.</param>
/// <param name="AcquiredAt">When it took the lock.</param>
/// <param name="ExpiresAt">When the lease runs out unless renewed.</param>
public sealed record LockHolder(string Owner, string Host, int ProcessId, string Command, DateTimeOffset AcquiredAt, DateTimeOffset ExpiresAt);
