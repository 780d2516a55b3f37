using System.CommandLine;
using System.Globalization;
using Tappaas.Platform.Embedded.Runtime;

namespace Tappaas.Cli.Commands;

/// <summary><c>tappaas logs MODULE [-f] [--since]</c>: the output of a module's guests, then its hook log.</summary>
internal static class LogsCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var module = new Argument<string>("MODULE") { Description = "A module." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until interrupted." };
        var since = new Option<string?>("--since") { Description = "Only lines newer than this: a duration (10m, 2h) or a time (2026-11-27T10:00:00Z)." };
        var command = new Command("logs", "Show what a module's guests printed (stdout and stderr) and its hook output.") { module, follow, since };
        command.SetAction((result, ct) => SiteCommand.RunAsync(result, error, async (session, token) =>
        {
            var name = result.GetValue(module)!;
            DateTimeOffset? from = null;
            if (result.GetValue(since) is { } s)
            {
                if (Tappaas.Platform.Embedded.Workloads.WorkloadSpec.Duration(s, TimeSpan.Zero) is { } d && d > TimeSpan.Zero)
                {
                    from = DateTimeOffset.UtcNow - d;
                }
                else if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
                {
                    from = t;
                }
                else
                {
                    error.WriteLine($"error: --since {s}: give a duration like 10m or a time like 2026-11-27T10:00:00Z");
                    return ExitCodes.Usage;
                }
            }

            var runtime = new GuestRuntime(session.Layout.Root);
            var files = Directory.Exists(runtime.GuestsDir)
                ? Directory.GetDirectories(runtime.GuestsDir, name + "-*").Where(d => runtime.Spec(Path.GetFileName(d))?.Module == name)
                    .Select(d => (Guest: Path.GetFileName(d), File: Path.Combine(d, "logs", "output.log"))).ToList()
                : [];
            var hooks = Path.Combine(session.Layout.LogsDir, name + ".log");
            if (files.Count == 0 && !File.Exists(hooks))
            {
                error.WriteLine($"error: module \"{name}\" has no logs in this site");
                return ExitCodes.Failed;
            }

            var positions = new Dictionary<string, long>();
            foreach (var (guest, file) in files)
            {
                positions[file] = Print(output, guest, file, 0, from);
            }

            if (File.Exists(hooks) && !result.GetValue(follow))
            {
                output.Write(await File.ReadAllTextAsync(hooks, token));
            }

            while (result.GetValue(follow) && !token.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(250, token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                foreach (var (guest, file) in files)
                {
                    positions[file] = Print(output, guest, file, positions[file], from);
                }
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static long Print(TextWriter output, string guest, string file, long position, DateTimeOffset? from)
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
            if (from is null || !DateTimeOffset.TryParse(line.Split(' ')[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) || at >= from)
            {
                output.WriteLine($"{guest} {line}");
            }
        }

        output.Flush();
        return stream.Position;
    }
}
