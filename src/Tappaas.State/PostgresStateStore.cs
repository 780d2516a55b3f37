using System.Data;
using System.Data.Common;
using Npgsql;

namespace Tappaas.State;

/// <summary>The state store on PostgreSQL, for sites that already run one or want the state off the host.</summary>
public sealed class PostgresStateStore(string connectionString, TimeProvider time) : SqlStateStore(time)
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    /// <inheritdoc />
    protected override string IdColumn => "id BIGSERIAL PRIMARY KEY";

    /// <inheritdoc />
    protected override string LockRowSql => base.LockRowSql + " FOR UPDATE";

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await _source.OpenConnectionAsync(cancellationToken);

    /// <inheritdoc />
    protected override string TableExistsSql => "SELECT to_regclass(@t) IS NOT NULL";

    /// <inheritdoc />
    protected override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var tx = await ((NpgsqlConnection)connection).BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        // One writer at a time, as SQLite's immediate transactions give: a transaction-scoped advisory lock.
        await using var cmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(7355)", (NpgsqlConnection)connection, tx);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return tx;
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync();
        await base.DisposeAsync();
    }
}
