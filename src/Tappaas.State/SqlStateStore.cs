using System.Data;
using System.Data.Common;
using Tappaas.Abstractions.State;

namespace Tappaas.State;

/// <summary>The state store on any ADO.NET database; dialects supply connections, transactions and DDL details.</summary>
public abstract partial class SqlStateStore(TimeProvider time) : IStateStore
{
    /// <summary>The clock every timestamp comes from.</summary>
    protected TimeProvider Time { get; } = time;

    /// <summary>DDL for an auto-increment primary key column named <c>id</c>.</summary>
    protected abstract string IdColumn { get; }

    /// <summary>Opens a connection.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Begins a transaction that holds the write lock of the database from its start.</summary>
    protected abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Locks the apply-lock row for the rest of the transaction (no-op where the transaction already serialises writers).</summary>
    protected virtual string LockRowSql => "SELECT owner, host, pid, command, acquired_at, expires_at FROM locks WHERE name = 'apply'";

    /// <inheritdoc />
    public virtual Task<string?> IntegrityProblemAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <inheritdoc />
    public abstract Task<string> CopyToAsync(string folder, CancellationToken cancellationToken);

    /// <inheritdoc />
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        if (await UpToDateAsync(c, cancellationToken))
        {
            return; // nothing to write: a store on a full disk (or a read-only one) still opens for reading
        }

        await using var tx = await BeginWriteAsync(c, cancellationToken);
        await ExecAsync(c, tx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)", cancellationToken);
        var current = Convert.ToInt32(await ScalarAsync(c, tx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", cancellationToken) ?? 0, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (version, name, sql) in Migrations.All.Where(m => m.Version > current))
        {
            foreach (var statement in sql.Replace("{id}", IdColumn, StringComparison.Ordinal).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await ExecAsync(c, tx, statement, cancellationToken);
            }

            await ExecAsync(c, tx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @t)", cancellationToken, ("v", version), ("n", name), ("t", Now()));
        }

        await tx.CommitAsync(cancellationToken);
    }

    private async Task<bool> UpToDateAsync(DbConnection c, CancellationToken cancellationToken)
    {
        if (!await TableExistsAsync(c, TableExistsSql, "schema_migrations", cancellationToken))
        {
            return false; // a new store
        }

        var current = await ScalarAsync(c, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", cancellationToken);
        return Convert.ToInt32(current ?? 0, System.Globalization.CultureInfo.InvariantCulture) >= Migrations.All.Max(m => m.Version);
    }

    /// <summary>A query answering true (or non-zero) when the table named by <c>@t</c> exists.</summary>
    protected abstract string TableExistsSql { get; }

    /// <summary>Whether the store has the table (a new store has none).</summary>
    private static async Task<bool> TableExistsAsync(DbConnection connection, string sql, string table, CancellationToken cancellationToken) =>
        Convert.ToBoolean(await ScalarAsync(connection, null, sql, cancellationToken, ("t", table)), System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public async Task<int> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        return Convert.ToInt32(await ScalarAsync(c, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    /// <inheritdoc />
    public virtual ValueTask<long?> ChangeStampAsync(CancellationToken cancellationToken) => ValueTask.FromResult<long?>(null);

    /// <inheritdoc />
    public async Task<long> GetRevisionAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        return Convert.ToInt64(await ScalarAsync(c, null, "SELECT revision FROM site WHERE id = 1", cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<InstalledModule>> ListModulesAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        return await QueryAsync(c, null, "SELECT name, revision, definition, status, updated_at FROM modules ORDER BY name", ReadModule, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<InstalledModule?> GetModuleAsync(string name, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        return (await QueryAsync(c, null, "SELECT name, revision, definition, status, updated_at FROM modules WHERE name = @n", ReadModule, cancellationToken, ("n", name))).FirstOrDefault();
    }

    /// <inheritdoc />
    public async Task<InstalledModule> SaveModuleAsync(string name, string definition, string status, string? reason, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await BeginWriteAsync(c, cancellationToken);
        var now = Now();
        var existing = (await QueryAsync(c, tx, "SELECT name, revision, definition, status, updated_at FROM modules WHERE name = @n", ReadModule, cancellationToken, ("n", name))).FirstOrDefault();
        var revision = existing?.Revision ?? 0;
        if (reason is not null || existing is null || existing.Definition != definition)
        {
            var last = Convert.ToInt32(await ScalarAsync(c, tx, "SELECT COALESCE(MAX(revision), 0) FROM revisions WHERE module = @n", cancellationToken, ("n", name)), System.Globalization.CultureInfo.InvariantCulture);
            revision = last + 1;
            await ExecAsync(c, tx, "INSERT INTO revisions (module, revision, definition, reason, applied_at) VALUES (@n, @r, @d, @why, @t)", cancellationToken,
                ("n", name), ("r", revision), ("d", definition), ("why", reason ?? "applied"), ("t", now));
        }

        if (existing is null)
        {
            await ExecAsync(c, tx, "INSERT INTO modules (name, revision, definition, status, updated_at) VALUES (@n, @r, @d, @s, @t)", cancellationToken,
                ("n", name), ("r", revision), ("d", definition), ("s", status), ("t", now));
        }
        else
        {
            await ExecAsync(c, tx, "UPDATE modules SET revision = @r, definition = @d, status = @s, updated_at = @t WHERE name = @n", cancellationToken,
                ("n", name), ("r", revision), ("d", definition), ("s", status), ("t", now));
        }

        await ExecAsync(c, tx, "UPDATE site SET revision = revision + 1 WHERE id = 1", cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new InstalledModule(name, revision, definition, status, FromUnix(now));
    }

    /// <inheritdoc />
    public async Task RemoveModuleAsync(string name, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var tx = await BeginWriteAsync(c, cancellationToken);
        await ExecAsync(c, tx, "DELETE FROM modules WHERE name = @n", cancellationToken, ("n", name));
        await ExecAsync(c, tx, "UPDATE site SET revision = revision + 1 WHERE id = 1", cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ModuleRevision>> HistoryAsync(string name, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        return await QueryAsync(c, null, "SELECT module, revision, definition, reason, applied_at FROM revisions WHERE module = @n ORDER BY revision",
            r => new ModuleRevision(r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetString(3), FromUnix(r.GetInt64(4))), cancellationToken, ("n", name));
    }

    /// <summary>Current time as Unix milliseconds.</summary>
    protected long Now() => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Unix milliseconds to a timestamp.</summary>
    protected static DateTimeOffset FromUnix(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static InstalledModule ReadModule(DbDataReader r) => new(r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetString(3), FromUnix(r.GetInt64(4)));

    /// <summary>Runs a statement.</summary>
    protected static async Task<int> ExecAsync(DbConnection c, DbTransaction? tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] args)
    {
        await using var cmd = Command(c, tx, sql, args);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs a query returning one value.</summary>
    protected static async Task<object?> ScalarAsync(DbConnection c, DbTransaction? tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] args)
    {
        await using var cmd = Command(c, tx, sql, args);
        var value = await cmd.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    /// <summary>Runs a query and maps its rows.</summary>
    protected static async Task<IReadOnlyList<T>> QueryAsync<T>(DbConnection c, DbTransaction? tx, string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] args)
    {
        await using var cmd = Command(c, tx, sql, args);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(map(reader));
        }

        return list;
    }

    private static DbCommand Command(DbConnection c, DbTransaction? tx, string sql, (string Name, object? Value)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = "@" + name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }

        return cmd;
    }

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
