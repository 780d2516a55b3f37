using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Tappaas.State;

/// <summary>The default state store: one SQLite file in the site folder (WAL, busy timeout, immediate write transactions).</summary>
public sealed class SqliteStateStore(string path, TimeProvider time) : SqlStateStore(time)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();

    /// <summary>The database file.</summary>
    public string Path { get; } = path;

    /// <inheritdoc />
    protected override string IdColumn => "id INTEGER PRIMARY KEY AUTOINCREMENT";

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(cancellationToken);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return c;
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        using (var c = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(c);
        }

        return base.DisposeAsync();
    }

    /// <inheritdoc />
    protected override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: false));
}
