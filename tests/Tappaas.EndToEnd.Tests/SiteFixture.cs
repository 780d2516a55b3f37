using System.Text.Json;
using Microsoft.Data.Sqlite;
using Tappaas.TestUtilities;

namespace Tappaas.EndToEnd.Tests;

/// <summary>
/// A three-module stack for process-level tests: <c>cluster</c> (its vm service on the fake backend), <c>db</c>
/// (provides <c>sql</c> through hook scripts that create and delete marker files) and <c>web</c> (needs both).
/// </summary>
internal sealed class SiteFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public SiteFixture()
    {
        Write("cluster/cluster.json", """{"description": "cluster", "version": "1.0", "provides": ["vm"]}""");
        Write("db/db.json", """{"description": "db", "version": "1.0", "vmid": 310, "zone0": "srvHome", "dependsOn": ["cluster:vm"], "provides": ["sql"], "config": {"cluster:vm": {"image": "8080"}}}""");
        Write("db/services/sql/install-service.sh", "#!/bin/sh\nmkdir -p \"$TAPPAAS_SITE/sql\" && echo \"$1\" > \"$TAPPAAS_SITE/sql/$1\"\n", executable: true);
        Write("db/services/sql/update-service.sh", "#!/bin/sh\nmkdir -p \"$TAPPAAS_SITE/sql\" && echo \"$1\" > \"$TAPPAAS_SITE/sql/$1\"\n", executable: true);
        Write("db/services/sql/delete-service.sh", "#!/bin/sh\nrm -f \"$TAPPAAS_SITE/sql/$1\"\n", executable: true);
        Write("db/services/sql/test-service.sh", "#!/bin/sh\n[ -f \"$TAPPAAS_SITE/sql/$1\" ]\n", executable: true);
        WebRelease(cores: 2);
    }

    public string Root => _dir.Path;

    public string Site => Path.Combine(_dir.Path, "site");

    public string Modules => Path.Combine(_dir.Path, "modules");

    public void WebRelease(int cores) =>
        Write("web/web.json", "{\"description\": \"web\", \"version\": \"1.0\", \"vmid\": 320, \"zone0\": \"srvHome\", \"dependsOn\": [\"cluster:vm\", \"db:sql\"], \"config\": {\"cluster:vm\": {\"image\": \"8080\", \"cores\": " + cores + "}}}");

    public void Write(string relative, string content, bool executable = false)
    {
        var path = Path.Combine(Modules, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (executable)
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// A module <paramref name="name"/> on the embedded platform: Python's HTTP server listing <c>/etc</c> on port 8083, ready
    /// when the port accepts.
    /// </summary>
    public void HttpModule(string name, int vmid) => Write($"{name}/{name}.json", """
        {"description": "@NAME", "version": "1.0", "vmid": @VMID, "zone0": "srvWork", "dependsOn": ["cluster:vm"],
         "config": {"cluster:vm": {"image": "none", "memory": 512, "cores": 1, "workload": {
           "command": "/usr/bin/python3", "args": ["-m", "http.server", "${port:http}", "--directory", "/etc"], "ports": {"http": 8083},
           "health": {"readiness": {"tcp": {"port": "http"}, "interval": "200ms"}}}}}}
        """.Replace("@NAME", name, StringComparison.Ordinal).Replace("@VMID", vmid.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

    /// <summary>An embedded site's folder under /var/tmp (not yet created; guests do not run from a site under /tmp).</summary>
    public static string EmbeddedSiteFolder() => Path.Combine("/var/tmp", "tappaas-e2e-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Creates the embedded site <paramref name="site"/> on these modules, its host objects apart from other tests' (<paramref name="tag"/>, <paramref name="offset"/>).</summary>
    public async Task InitEmbeddedAsync(string site, string tag, int offset)
    {
        var (code, output) = await Cli.RunAsync(site, "init", "--backend", "cluster:*=embedded", "--repository", Modules);
        Assert.True(code == 0, output);
        EmbeddedSites.Separate(site, tag, offset);
    }

    public async Task InitAsync(string? site = null)
    {
        var (code, output) = await Cli.RunAsync(site ?? Site, "init", "--backend", "cluster:*=fake", "--repository", Modules);
        Assert.True(code == 0, output);
    }

    public string[] FakeObjects(string? site = null)
    {
        var dir = Path.Combine(site ?? Site, "fake", "objects");
        return Directory.Exists(dir) ? [.. Directory.GetFiles(dir, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)] : [];
    }

    public string[] SqlMarkers(string? site = null)
    {
        var dir = Path.Combine(site ?? Site, "sql");
        return Directory.Exists(dir) ? [.. Directory.GetFiles(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)] : [];
    }

    public static Dictionary<string, (int Revision, string Status, string Definition)> Modules_(string site)
    {
        using var c = new SqliteConnection($"Data Source={Path.Combine(site, "state.db")};Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT name, revision, status, definition FROM modules";
        using var r = cmd.ExecuteReader();
        var result = new Dictionary<string, (int, string, string)>();
        while (r.Read())
        {
            result[r.GetString(0)] = (r.GetInt32(1), r.GetString(2), r.GetString(3));
        }

        return result;
    }

    public static List<(long Id, string Command, string Status)> Runs(string site)
    {
        using var c = new SqliteConnection($"Data Source={Path.Combine(site, "state.db")};Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, command, status FROM applies ORDER BY id";
        using var r = cmd.ExecuteReader();
        var result = new List<(long, string, string)>();
        while (r.Read())
        {
            result.Add((r.GetInt64(0), r.GetString(1), r.GetString(2)));
        }

        return result;
    }

    /// <summary>Who holds the site's apply lock now (its owner id), or null.</summary>
    public static string? LockOwner(string site)
    {
        using var c = new SqliteConnection($"Data Source={Path.Combine(site, "state.db")};Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT owner FROM locks WHERE name = 'apply'";
        return cmd.ExecuteScalar() as string;
    }

    public static List<(int Step, string Phase)> Journal(string site, long run)
    {
        using var c = new SqliteConnection($"Data Source={Path.Combine(site, "state.db")};Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT step, phase FROM journal WHERE apply_id = {run} ORDER BY id";
        using var r = cmd.ExecuteReader();
        var result = new List<(int, string)>();
        while (r.Read())
        {
            result.Add((r.GetInt32(0), r.GetString(1)));
        }

        return result;
    }

    public static bool ValidJson(string path)
    {
        try
        {
            using var _ = JsonDocument.Parse(File.ReadAllText(path));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public void Dispose() => _dir.Dispose();
}
