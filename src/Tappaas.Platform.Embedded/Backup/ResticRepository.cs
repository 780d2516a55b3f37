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

/// <summary>Thrown when restic fails; the message carries restic's own words.</summary>
public sealed class ResticException(string message) : Exception(message);

/// <summary>
/// A restic repository (a local path or a <c>rest:</c> URL) driven through Debian's restic CLI. The password is read by
/// restic from a file (the site secret), never passed on a command line or written to a log.
/// </summary>
public sealed class ResticRepository(string location, string passwordFile, string cacheDir)
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNameCaseInsensitive = true };

    public string Location { get; } = location;

    /// <summary>The restic binary, or null when it is not installed.</summary>
    public static string? Binary => new[] { "/usr/bin/restic", "/usr/local/bin/restic" }.FirstOrDefault(File.Exists);

    /// <summary>Creates the repository unless it exists.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
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

    /// <summary>Backs up a folder with tags; returns restic's summary.</summary>
    public async Task<ResticSummary> BackupAsync(string folder, IEnumerable<string> tags, CancellationToken cancellationToken)
    {
        var args = new List<string> { "backup", "--json", "--host", "tappaas" };
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
        return JsonSerializer.Deserialize<ResticSummary>(summary, s_json)!;
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
        return [.. (JsonSerializer.Deserialize<List<ResticSnapshot>>(output, s_json) ?? []).OrderBy(s => s.Time)];
    }

    /// <summary>Restores a snapshot's folder as <paramref name="target"/> (which must not exist yet).</summary>
    public async Task RestoreAsync(ResticSnapshot snapshot, string target, CancellationToken cancellationToken)
    {
        var scratch = target.TrimEnd('/') + ".restic";
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }

        await MustAsync(["restore", snapshot.Id, "--target", scratch], null, cancellationToken);
        var restored = Path.Combine(scratch, Path.GetFileName(snapshot.Paths[0].TrimEnd('/')));
        if (!Directory.Exists(restored))
        {
            throw new ResticException($"snapshot {snapshot.ShortId} does not hold the folder {snapshot.Paths[0]}");
        }

        Directory.Move(restored, target);
        Directory.Delete(scratch, recursive: true);
    }

    /// <summary>Applies a retention policy to the snapshots with <paramref name="tag"/>; returns the ids removed.</summary>
    public async Task<IReadOnlyList<string>> ForgetAsync(string tag, RetentionPolicy policy, CancellationToken cancellationToken)
    {
        var before = (await SnapshotsAsync(tag, cancellationToken)).Select(s => s.Id).ToList();
        var args = new List<string> { "forget", "--tag", tag, "--prune" };
        foreach (var (flag, value) in policy.Flags())
        {
            args.AddRange([flag, value.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        await MustAsync(args, null, cancellationToken);
        var after = (await SnapshotsAsync(tag, cancellationToken)).Select(s => s.Id).ToHashSet();
        return [.. before.Where(id => !after.Contains(id))];
    }

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
