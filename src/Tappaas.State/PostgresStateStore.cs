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

    /// <summary>The file name of a PostgreSQL store's copy (pg_dump's custom format).</summary>
    public const string CopyFile = "state.pgdump";

    /// <inheritdoc />
    public override async Task<string> CopyToAsync(string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        await RunAsync("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", System.IO.Path.Combine(folder, CopyFile)], connectionString, cancellationToken);
        return CopyFile;
    }

    /// <summary>Replaces what the database <paramref name="connection"/> names holds with a copy made by <see cref="CopyToAsync"/> (pg_restore).</summary>
    public static Task RestoreAsync(string copy, string connection, CancellationToken cancellationToken) =>
        RunAsync("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", copy], connection, cancellationToken);

    /// <summary>Runs a PostgreSQL client tool against the database of <paramref name="connection"/> (an Npgsql connection string).</summary>
    private static async Task RunAsync(string tool, IReadOnlyList<string> args, string connection, CancellationToken cancellationToken)
    {
        var c = new NpgsqlConnectionStringBuilder(connection);
        var psi = new System.Diagnostics.ProcessStartInfo(tool, [.. args, "--dbname", c.Database ?? ""]) { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.Environment["PGHOST"] = c.Host ?? "localhost";
        psi.Environment["PGPORT"] = c.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["PGUSER"] = c.Username ?? "";
        psi.Environment["PGPASSWORD"] = c.Password ?? "";
        System.Diagnostics.Process process;
        try
        {
            process = System.Diagnostics.Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"{tool} is not installed; install it with: apt-get install postgresql-client");
        }

        using (process)
        {
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{tool} of the state database {c.Database} on {c.Host}:{c.Port} failed: {(await error).Trim()}");
            }
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync();
        await base.DisposeAsync();
    }
}
