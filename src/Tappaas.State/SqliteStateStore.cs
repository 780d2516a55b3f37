using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Tappaas.State;

/// <summary>The default state store: one SQLite file in the site folder (WAL, busy timeout, immediate write transactions).</summary>
public sealed class SqliteStateStore(string path, TimeProvider time) : SqlStateStore(time)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
    private readonly string _readOnlyConnectionString = new SqliteConnectionStringBuilder
    {
        DataSource = new Uri(System.IO.Path.GetFullPath(path)).AbsoluteUri + "?immutable=1", Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 30,
    }.ToString();

    private bool WalHasData() => new FileInfo(Path + "-wal") is { Exists: true, Length: > 0 };

    private readonly Lock _stampGate = new();
    private SqliteConnection? _stamp;

    /// <inheritdoc />
    /// <remarks>
    /// SQLite's <c>data_version</c> on a connection kept for it alone: it changes when any other connection, in this
    /// process or another, commits. Null when that connection cannot be opened (the caller then reads every time).
    /// </remarks>
    public override ValueTask<long?> ChangeStampAsync(CancellationToken cancellationToken)
    {
        lock (_stampGate)
        {
            try
            {
                if (_stamp is null)
                {
                    var c = new SqliteConnection(new SqliteConnectionStringBuilder(_connectionString) { Pooling = false, DefaultTimeout = 1 }.ToString());
                    c.Open();
                    _stamp = c;
                }

                using var cmd = _stamp.CreateCommand();
                cmd.CommandText = "PRAGMA data_version";
                return ValueTask.FromResult<long?>((long)cmd.ExecuteScalar()!);
            }
            catch (SqliteException)
            {
                _stamp?.Dispose();
                _stamp = null;
                return ValueTask.FromResult<long?>(null);
            }
        }
    }

    /// <summary>The database file.</summary>
    public string Path { get; } = path;

    /// <inheritdoc />
    protected override string IdColumn => "id INTEGER PRIMARY KEY AUTOINCREMENT";

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var c = new SqliteConnection(_connectionString);
        try
        {
            await c.OpenAsync(cancellationToken);
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            return c;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 10 or 13 or 14 && File.Exists(Path) && !WalHasData())
        {
            // No room for the write-ahead log's index (a full disk) while the log holds nothing: the store file alone is
            // the whole state, so it is read as it is (immutable) and status and history answer; a write fails as the
            // disk does, and says so.
            await c.DisposeAsync();
            var reader = new SqliteConnection(_readOnlyConnectionString);
            await reader.OpenAsync(cancellationToken);
            return reader;
        }
    }

    /// <inheritdoc />
    protected override string TableExistsSql => "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = @t";

    /// <summary>The file name of a SQLite store's copy.</summary>
    public const string CopyFile = "state.db";

    /// <inheritdoc />
    public override async Task<string> CopyToAsync(string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var file = System.IO.Path.Combine(folder, CopyFile);
        File.Delete(file);
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "VACUUM INTO @file"; // one read transaction: what was committed when it began, writers go on
        cmd.Parameters.Add(new SqliteParameter("@file", file));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return CopyFile;
    }

    /// <inheritdoc />
    public override async Task<string?> IntegrityProblemAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA quick_check(5)";
        var found = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add(reader.GetString(0));
            }
        }

        return found is ["ok"] ? null : string.Join("; ", found);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The write-ahead log is checkpointed into the store file and emptied first, so after a command the store file alone
    /// is the whole state (a copy or backup of it is complete) even when the close of the last pooled connection could
    /// not do that itself (another connection was still open at that moment). Waits at most a second for other
    /// connections; a busy or full disk leaves the log as it is, which the next open replays.
    /// </remarks>
    public override ValueTask DisposeAsync()
    {
        lock (_stampGate)
        {
            _stamp?.Dispose();
            _stamp = null;
        }

        using (var c = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(c);
        }

        if (WalHasData())
        {
            try
            {
                using var c = new SqliteConnection(new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString());
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = "PRAGMA busy_timeout=1000; PRAGMA wal_checkpoint(TRUNCATE);";
                cmd.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                // busy, read-only or full: the log stays and is replayed at the next open
            }
        }

        return base.DisposeAsync();
    }

    /// <inheritdoc />
    protected override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: false));
}
