using System.CommandLine;
using System.Text.Json.Nodes;
using Tappaas.Cli.Remote;
using Tappaas.Composition;

namespace Tappaas.Cli.Commands;

/// <summary><c>tappaas logs MODULE [-f] [--since]</c>: the output of a module's guests, then its hook log.</summary>
internal static class LogsCommand
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(250);

    public static Command Create(TextWriter output, TextWriter error, TimeProvider time)
    {
        var module = CompletionCommand.Modules(new Argument<string>("MODULE") { Description = "A module." });
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until interrupted." };
        var since = new Option<string?>("--since") { Description = "Only lines newer than this: a duration (10m, 2h) or a time (2026-11-27T10:00:00Z)." };
        var command = new Command("logs", "Show what a module's guests printed (stdout and stderr) and its hook output.") { module, follow, since, CommonOptions.Json };
        command.SetAction(async (result, ct) =>
        {
            var name = result.GetValue(module)!;
            var (from, problem) = ModuleLogs.ParseSince(result.GetValue(since), time.GetUtcNow());
            if (problem is not null)
            {
                error.WriteLine($"error: {problem}");
                return ExitCodes.Usage;
            }

            return await Dispatch.RunAsync(result, error, async (client, token) =>
            {
                IReadOnlyDictionary<string, long>? positions = null;
                do
                {
                    var answer = await client.LogsAsync(name, from, positions, token);
                    if (answer.Value is not { } logs)
                    {
                        return token.IsCancellationRequested ? ExitCodes.Ok : Dispatch.Fail(error, answer.Problem!);
                    }

                    Print(output, logs.Lines, result.GetValue(CommonOptions.Json));
                    positions = logs.Next;
                }
                while (result.GetValue(follow) && await Pause(token));

                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }

    // Text: the lines as they are. JSON: one object per line (JSON Lines) — guest, time, stream and text — so a reader
    // can act on each line as it arrives with -f.
    private static void Print(TextWriter output, IEnumerable<string> lines, bool json)
    {
        foreach (var line in lines)
        {
            if (!json)
            {
                output.WriteLine(line);
                continue;
            }

            var parts = line.Split(' ', 4);
            output.WriteLine((parts.Length == 4
                ? new JsonObject { ["guest"] = parts[0], ["at"] = parts[1], ["stream"] = parts[2], ["text"] = parts[3] }
                : new JsonObject { ["guest"] = parts[0], ["at"] = "", ["stream"] = "", ["text"] = line[(parts[0].Length + 1)..] }).ToJsonString());
        }

        output.Flush();
    }

    private static async Task<bool> Pause(CancellationToken token)
    {
        try
        {
            await Task.Delay(s_poll, token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
