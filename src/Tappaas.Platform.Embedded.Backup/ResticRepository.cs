using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;


namespace Tappaas.Platform.Embedded.Backup;

/// <summary>One restic snapshot as <c>restic snapshots --json</c> reports it.</summary>
public sealed record ResticSnapshot(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("short_id")] string ShortId,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("paths")] IReadOnlyList<string> Paths,
    [property: JsonPropertyName("tags")] IReadOnlyList<string>? Tags);

/// <summary>What <c>restic backup --json</c> reports at the end.</summary>
public sealed record ResticSummary(
    [property: JsonPropertyName("snapshot_id")] string SnapshotId,
    [property: JsonPropertyName("files_new")] long FilesNew,
    [property: JsonPropertyName("files_changed")] long FilesChanged,
    [property: JsonPropertyName("data_added")] long DataAdded,
    [property: JsonPropertyName("total_bytes_processed")] long BytesProcessed,
    [property: JsonPropertyName("total_duration")] double Seconds);

/// <summary>What a restore restored: the snapshot's short id, its time and the folder it holds.</summary>
public sealed record RestoredSnapshot(string ShortId, DateTimeOffset? Time, string Path);

/// <summary>Thrown when restic fails; the message carries restic's own words.</summary>
public sealed class ResticException(string message) : Exception(message);

/// <summary>
/// A restic repository (a local path or a <c>rest:</c> URL) driven through Debian's restic CLI. The password is read by
/// restic from a file (the site secret), never passed on a command line or written to a log.
/// </summary>
public sealed partial class ResticRepository(string location, string passwordFile, string cacheDir)
{

    public string Location { get; } = location;

    /// <summary>A repository on a local path (no <c>rest:</c>, <c>sftp:</c>, <c>s3:</c>… prefix); restic's cache gains nothing there.</summary>
    public bool IsLocal => Location.StartsWith('/');

    /// <summary>The restic binary, or null when it is not installed.</summary>
    public static string? Binary => new[] { "/usr/bin/restic", "/usr/local/bin/restic" }.FirstOrDefault(File.Exists);

    /// <summary>Creates the repository unless it exists.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (IsLocal && File.Exists(Path.Combine(Location, "config")))
        {
            return; // a local repository that exists; its key is checked by the first command that opens it
        }

        var (code, _, error) = await RunAsync(["cat", "config"], null, cancellationToken);
        if (code == 0)
        {
            return;
        }

        if (!error.Contains("does not exist", StringComparison.OrdinalIgnoreCase) && !error.Contains("unable to open config", StringComparison.OrdinalIgnoreCase)
            && !error.Contains("no such file", StringComparison.OrdinalIgnoreCase))
        {
            throw new ResticException($"the backup repository {Location} cannot be read: {Last(error)}");
        }

        await MustAsync(["init"], null, cancellationToken);
    }

    /// <summary>
    /// Backs up a folder with tags, stamped with <paramref name="time"/> (the platform's clock, so a snapshot's age is
    /// measured on one clock; Go's time parser takes the fraction after the seconds); returns restic's summary.
    /// </summary>
    public async Task<ResticSummary> BackupAsync(string folder, IEnumerable<string> tags, DateTimeOffset time, CancellationToken cancellationToken)
    {
        // Local: no cache, so backup reads the repository's own index and a damaged one fails the backup.
        // restic reads --time in its local zone, which RunAsync sets to UTC.
        var args = new List<string> { "backup", "--json", "--host", "tappaas", "--time", time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fffffff", System.Globalization.CultureInfo.InvariantCulture) };
        if (IsLocal)
        {
            args.Add("--no-cache");
        }
        foreach (var tag in tags)
        {
            args.AddRange(["--tag", tag]);
        }

        // Named from its parent, so the folder itself is in the snapshot (restic refuses a snapshot of an empty ".").
        var full = Path.GetFullPath(folder).TrimEnd('/');
        args.Add(Path.GetFileName(full));
        var output = await MustAsync(args, Path.GetDirectoryName(full), cancellationToken);
        var summary = output.Split('\n').Reverse().FirstOrDefault(l => l.Contains("\"message_type\":\"summary\"", StringComparison.Ordinal))
            ?? throw new ResticException($"restic backup of {folder} printed no summary");
        return JsonSerializer.Deserialize(summary, ResticJson.Default.ResticSummary)!;
    }

    /// <summary>The snapshots carrying <paramref name="tag"/> (all when null), oldest first.</summary>
    public async Task<IReadOnlyList<ResticSnapshot>> SnapshotsAsync(string? tag, CancellationToken cancellationToken)
    {
        var args = new List<string> { "snapshots", "--json" };
        if (tag is not null)
        {
            args.AddRange(["--tag", tag]);
        }

        var output = await MustAsync(args, null, cancellationToken);
        return [.. (JsonSerializer.Deserialize(output, ResticJson.Default.ListResticSnapshot) ?? []).OrderBy(s => s.Time)];
    }

    /// <summary>
    /// Restores a snapshot's folder as <paramref name="target"/> (which must not exist yet): <paramref name="snapshot"/> is an
    /// id or id prefix, or <c>latest</c> (the newest with <paramref name="tag"/>). The folder must be <paramref name="folderName"/>,
    /// so one module's backup is never restored as another's by a mistyped id.
    /// </summary>
    public async Task<RestoredSnapshot> RestoreAsync(string snapshot, string tag, string folderName, string target, CancellationToken cancellationToken)
    {
        var scratch = target.TrimEnd('/') + ".restic";
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }

        try
        {
            var output = await MustAsync(["restore", snapshot, "--tag", tag, "--target", scratch], null, cancellationToken);
            var m = RestoringLine().Match(output);
            if (!m.Success)
            {
                throw new ResticException($"restic restore of {snapshot} printed no snapshot line");
            }

            var path = m.Groups["path"].Value.TrimEnd('/');
            if (Path.GetFileName(path) != folderName)
            {
                throw new ResticException($"snapshot {m.Groups["id"].Value} is a backup of {path}, not of {folderName}");
            }

            Directory.Move(Path.Combine(scratch, Path.GetFileName(path)), target); // backed up by name from its parent
            var time = DateTimeOffset.TryParse(Fraction().Replace(m.Groups["time"].Value.Replace(" UTC", "", StringComparison.Ordinal), "$1"),
                System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : (DateTimeOffset?)null;
            return new RestoredSnapshot(m.Groups["id"].Value, time, path);
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"restoring <Snapshot (?<id>[0-9a-f]+) of \[(?<path>[^\]]*)\] at (?<time>.+?) by ")]
    private static partial System.Text.RegularExpressions.Regex RestoringLine();

    [System.Text.RegularExpressions.GeneratedRegex(@"(\.[0-9]{1,7})[0-9]*")]
    private static partial System.Text.RegularExpressions.Regex Fraction();

    /// <summary>Applies a retention policy to the snapshots with <paramref name="tag"/>; returns the ids removed (pruned only when there are some).</summary>
    public async Task<IReadOnlyList<string>> ForgetAsync(string tag, RetentionPolicy policy, CancellationToken cancellationToken)
    {
        var args = new List<string> { "forget", "--json", "--tag", tag };
        foreach (var (flag, value) in policy.Flags())
        {
            args.AddRange([flag, value.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        var output = await MustAsync(args, null, cancellationToken);
        var groups = JsonSerializer.Deserialize<List<ForgetGroup>>(output.Split('\n').FirstOrDefault(l => l.StartsWith('[')) ?? "[]", ResticJson.Default.ListForgetGroup) ?? [];
        var removed = groups.SelectMany(g => g.Remove ?? []).Select(s => s.ShortId).ToList();
        if (removed.Count > 0)
        {
            await MustAsync(["prune"], null, cancellationToken);
        }

        return removed;
    }

    internal sealed record ForgetGroup([property: JsonPropertyName("remove")] List<ResticSnapshot>? Remove);

    /// <summary>Copies snapshots with <paramref name="tag"/> into another repository (the off-site copy).</summary>
    public async Task CopyToAsync(ResticRepository destination, string tag, CancellationToken cancellationToken)
    {
        await destination.EnsureAsync(cancellationToken);
        var env = new Dictionary<string, string> { ["RESTIC_FROM_REPOSITORY"] = Location, ["RESTIC_FROM_PASSWORD_FILE"] = passwordFile };
        var (code, _, error) = await destination.RunAsync(["copy", "--tag", tag], null, cancellationToken, env);
        if (code != 0)
        {
            throw new ResticException($"copy to {destination.Location} failed: {Last(error)}");
        }
    }

    /// <summary>Checks the repository's structure (and, with <paramref name="readData"/>, every pack).</summary>
    public async Task CheckAsync(bool readData, CancellationToken cancellationToken) =>
        await MustAsync(readData ? ["check", "--read-data"] : ["check"], null, cancellationToken);

    private async Task<string> MustAsync(IReadOnlyList<string> args, string? workingDir, CancellationToken cancellationToken)
    {
        var (code, output, error) = await RunAsync(args, workingDir, cancellationToken);
        if (code != 0)
        {
            throw new ResticException($"restic {args[0]} on {Location} failed (exit {code}): {Last(error)}");
        }

        return output;
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(IReadOnlyList<string> args, string? workingDir, CancellationToken cancellationToken, IDictionary<string, string>? extra = null)
    {
        var binary = Binary ?? throw new ResticException("restic is not installed; install Debian's restic package (apt-get install restic)");
        var psi = new ProcessStartInfo(binary, args)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            WorkingDirectory = workingDir ?? Environment.CurrentDirectory,
        };
        psi.Environment["RESTIC_REPOSITORY"] = Location;
        psi.Environment["RESTIC_PASSWORD_FILE"] = passwordFile;
        psi.Environment["RESTIC_CACHE_DIR"] = cacheDir;
        psi.Environment.Remove("RESTIC_PASSWORD");
        psi.Environment["TZ"] = "UTC"; // the zone restic reads --time in and prints snapshot times in
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = p.StandardError.ReadToEndAsync(cancellationToken);
        await p.WaitForExitAsync(cancellationToken);
        return (p.ExitCode, await output, await error);
    }

    private static string Last(string error)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "no message" : string.Join(" / ", lines.TakeLast(3));
    }
}
