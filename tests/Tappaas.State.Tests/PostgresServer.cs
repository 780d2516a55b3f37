using System.Net;
using System.Net.Sockets;
using Npgsql;
using Tappaas.TestUtilities;

namespace Tappaas.State.Tests;

/// <summary>A real PostgreSQL server from Debian's packages, started for the test run on a random loopback port in a temp folder.</summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string? _dir;
    private string? _pgCtl;
    private int _port;

    /// <summary>Why the server is not available (null when it runs).</summary>
    public string? Unavailable { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            Unavailable = Prerequisites.Missing("PostgreSQL server binaries (apt-get install postgresql)");
            return;
        }

        _dir = Path.Combine(Path.GetTempPath(), "tappaas-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dir);
        _pgCtl = Path.Combine(bin, "pg_ctl");
        _port = FreePort();
        if (Prerequisites.IsRoot)
        {
            await Must("chown", ["-R", "postgres:postgres", _dir]);
        }

        await AsPostgres(Path.Combine(bin, "initdb"), ["-D", Path.Combine(_dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
        await AsPostgres(_pgCtl, ["-D", Path.Combine(_dir, "data"), "-l", Path.Combine(_dir, "log"), "-w", "-o",
            $"-p {_port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"]);
    }

    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..12];
        await using var c = new NpgsqlConnection(ConnectionString("postgres"));
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
        await cmd.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    private string ConnectionString(string db) => $"Host=127.0.0.1;Port={_port};Username=postgres;Database={db};Pooling=true;Maximum Pool Size=20";

    public async ValueTask DisposeAsync()
    {
        if (_dir is not null && _pgCtl is not null)
        {
            try
            {
                await AsPostgres(_pgCtl, ["-D", Path.Combine(_dir, "data"), "-m", "immediate", "stop"]);
            }
            finally
            {
                Directory.Delete(_dir, recursive: true);
            }
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static Task AsPostgres(string file, string[] args) =>
        Prerequisites.IsRoot ? Must("runuser", ["-u", "postgres", "--", file, .. args]) : Must(file, args);

    private static async Task Must(string file, string[] args)
    {
        var (code, output) = await ProcessRunner.RunAsync(file, args, timeout: TimeSpan.FromMinutes(2));
        if (code != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({code}): {output}");
        }
    }
}
