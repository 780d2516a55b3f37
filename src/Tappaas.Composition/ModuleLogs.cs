using System.Globalization;
using Tappaas.Platform.Embedded.Guests;

namespace Tappaas.Composition;

/// <summary>
/// What a module's guests printed (<c>guests/&lt;guest&gt;/logs/output.log</c>, each line stamped by the supervisor),
/// read from a position per guest so a follower gets only new lines; a rotated file starts again from its beginning.
/// </summary>
public static class ModuleLogs
{
    /// <summary>The label of the hook scripts' output among a module's logs.</summary>
    public const string HooksLabel = "hooks";

    /// <summary>The guests' log files of a module, then those kept from its removed guests (labelled so), then its hook scripts' log.</summary>
    public static IReadOnlyList<(string Guest, string File)> Files(string site, string module)
    {
        var runtime = new GuestRuntime(site);
        var current = runtime.GuestsOf(module);
        var kept = Path.Combine(site, "logs", "guests");
        var removed = Directory.Exists(kept)
            ? Directory.GetFiles(kept, module + "-*.log").Select(f => (Guest: Path.GetFileNameWithoutExtension(f), File: f))
                .Where(f => int.TryParse(f.Guest[(module.Length + 1)..], out _) && !current.Contains(f.Guest)).OrderBy(f => f.Guest, StringComparer.Ordinal)
                .Select(f => ($"{f.Guest}(removed)", f.File))
            : [];
        var hooks = Path.Combine(site, "logs", module + ".log");
        return [.. current.Select(g => (g, Path.Combine(runtime.GuestDir(g), "logs", "output.log"))), .. removed, .. File.Exists(hooks) ? [(HooksLabel, hooks)] : Array.Empty<(string, string)>()];
    }

    /// <summary>Lines after each guest's position (0 when unknown), newer than <paramref name="since"/>, prefixed with the guest; and the new positions.</summary>
    public static (List<string> Lines, Dictionary<string, long> Next) Read(string site, string module, DateTimeOffset? since, IReadOnlyDictionary<string, long>? after)
    {
        var lines = new List<string>();
        var next = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (guest, file) in Files(site, module))
        {
            next[guest] = ReadFile(lines, guest, file, after?.GetValueOrDefault(guest) ?? 0, since);
        }

        return (lines, next);
    }

    /// <summary>Parses <c>--since</c>: a duration (10m, 2h) back from <paramref name="now"/> or a time; null with an error when neither.</summary>
    public static (DateTimeOffset? Since, string? Error) ParseSince(string? text, DateTimeOffset now)
    {
        if (text is null)
        {
            return (null, null);
        }

        if (Model.Resolved.Durations.Parse(text, TimeSpan.Zero) is { } d && d > TimeSpan.Zero)
        {
            return (now - d, null);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? (t, null)
            : (null, $"--since {text}: give a duration like 10m or a time like 2026-11-27T10:00:00Z");
    }

    private static long ReadFile(List<string> lines, string guest, string file, long position, DateTimeOffset? since)
    {
        if (!File.Exists(file))
        {
            return position;
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.Length < position)
        {
            position = 0; // rotated
        }

        stream.Seek(position, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (since is null || !DateTimeOffset.TryParse(line.Split(' ')[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) || at >= since)
            {
                lines.Add($"{guest} {line}");
            }
        }

        return stream.Position;
    }
}
