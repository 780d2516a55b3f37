using System.Data.Common;
using Tappaas.Abstractions.State;

namespace Tappaas.State;

public abstract partial class SqlStateStore
{
    /// <inheritdoc />
    public async Task<ApplyRecord> BeginApplyAsync(string command, string payload, string holder, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await BeginWriteAsync(c, cancellationToken);
        var now = Now();
        var id = Convert.ToInt64(await ScalarAsync(c, tx,
            "INSERT INTO applies (command, payload, status, holder, started_at) VALUES (@c, @p, 'running', @h, @t) RETURNING id", cancellationToken,
            ("c", command), ("p", payload), ("h", holder), ("t", now)), System.Globalization.CultureInfo.InvariantCulture);
        await tx.CommitAsync(cancellationToken);
        return new ApplyRecord(id, command, payload, "running", holder, FromUnix(now));
    }

    /// <inheritdoc />
    public async Task AppendJournalAsync(JournalEntry entry, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await ExecAsync(c, null, "INSERT INTO journal (apply_id, step, address, phase, detail, at) VALUES (@a, @s, @ad, @ph, @d, @t)", cancellationToken,
            ("a", entry.ApplyId), ("s", entry.Step), ("ad", entry.Address), ("ph", entry.Phase), ("d", entry.Detail), ("t", entry.At.ToUnixTimeMilliseconds()));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<JournalEntry>> ReadJournalAsync(long applyId, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        return await QueryAsync(c, null, "SELECT apply_id, step, address, phase, detail, at FROM journal WHERE apply_id = @a ORDER BY id",
            r => new JournalEntry(r.GetInt64(0), r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetString(4), FromUnix(r.GetInt64(5))), cancellationToken, ("a", applyId));
    }

    /// <inheritdoc />
    public async Task FinishApplyAsync(long applyId, string status, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await ExecAsync(c, null, "UPDATE applies SET status = @s, finished_at = @t WHERE id = @a", cancellationToken, ("s", status), ("t", Now()), ("a", applyId));
    }

    /// <inheritdoc />
    public async Task<ApplyRecord?> FindUnfinishedApplyAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        return (await QueryAsync(c, null, "SELECT id, command, payload, status, holder, started_at FROM applies WHERE status = 'running' ORDER BY id DESC LIMIT 1", ReadApply, cancellationToken)).FirstOrDefault();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApplyRecord>> ListAppliesAsync(int limit, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        return await QueryAsync(c, null, "SELECT id, command, payload, status, holder, started_at FROM applies ORDER BY id DESC LIMIT @l", ReadApply, cancellationToken, ("l", limit));
    }

    /// <inheritdoc />
    public async Task<EventRecord> AppendEventAsync(string module, string kind, string message, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        var now = Now();
        var id = Convert.ToInt64(await ScalarAsync(c, null, "INSERT INTO events (module, kind, message, at) VALUES (@m, @k, @msg, @t) RETURNING id", cancellationToken,
            ("m", module), ("k", kind), ("msg", message), ("t", now)), System.Globalization.CultureInfo.InvariantCulture);
        return new EventRecord(id, module, kind, message, FromUnix(now));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<EventRecord>> ReadEventsAsync(long afterId, int limit, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        return await QueryAsync(c, null, "SELECT id, module, kind, message, at FROM events WHERE id > @a ORDER BY id LIMIT @l", ReadEvent, cancellationToken, ("a", afterId), ("l", limit));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<EventRecord>> ReadLatestEventsAsync(string? module, int limit, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        return module is null
            ? await QueryAsync(c, null, "SELECT id, module, kind, message, at FROM events ORDER BY id DESC LIMIT @l", ReadEvent, cancellationToken, ("l", limit))
            : await QueryAsync(c, null, "SELECT id, module, kind, message, at FROM events WHERE module = @m ORDER BY id DESC LIMIT @l", ReadEvent, cancellationToken,
                ("m", module), ("l", limit));
    }

    private static EventRecord ReadEvent(System.Data.Common.DbDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), FromUnix(r.GetInt64(4)));

    /// <inheritdoc />
    public async Task<LockHolder?> TryAcquireLockAsync(LockHolder candidate, Func<LockHolder, bool> canSteal, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await BeginWriteAsync(c, cancellationToken);
        var current = (await QueryAsync(c, tx, LockRowSql, ReadLock, cancellationToken)).FirstOrDefault();
        if (current is not null && current.Owner != candidate.Owner && current.ExpiresAt > Time.GetUtcNow() && !canSteal(current))
        {
            return current;
        }

        await ExecAsync(c, tx, "UPDATE locks SET owner = @o, host = @h, pid = @p, command = @c, acquired_at = @a, expires_at = @e WHERE name = 'apply'", cancellationToken,
            ("o", candidate.Owner), ("h", candidate.Host), ("p", candidate.ProcessId), ("c", candidate.Command),
            ("a", candidate.AcquiredAt.ToUnixTimeMilliseconds()), ("e", candidate.ExpiresAt.ToUnixTimeMilliseconds()));
        await tx.CommitAsync(cancellationToken);
        return null;
    }

    /// <inheritdoc />
    public async Task<bool> RenewLockAsync(string owner, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        return await ExecAsync(c, null, "UPDATE locks SET expires_at = @e WHERE name = 'apply' AND owner = @o", cancellationToken,
            ("e", expiresAt.ToUnixTimeMilliseconds()), ("o", owner)) == 1;
    }

    /// <inheritdoc />
    public async Task ReleaseLockAsync(string owner, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await ExecAsync(c, null, "UPDATE locks SET owner = NULL, host = NULL, pid = NULL, command = NULL, acquired_at = NULL, expires_at = NULL WHERE name = 'apply' AND owner = @o",
            cancellationToken, ("o", owner));
    }

    /// <inheritdoc />
    public async Task<LockHolder?> GetLockAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        return (await QueryAsync(c, null, "SELECT owner, host, pid, command, acquired_at, expires_at FROM locks WHERE name = 'apply'", ReadLock, cancellationToken)).FirstOrDefault();
    }

    private static ApplyRecord ReadApply(DbDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), FromUnix(r.GetInt64(5)));

    private static LockHolder? ReadLock(DbDataReader r) => r.IsDBNull(0) ? null
        : new LockHolder(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3), FromUnix(r.GetInt64(4)), FromUnix(r.GetInt64(5)));
}
