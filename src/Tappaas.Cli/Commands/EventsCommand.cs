using System.CommandLine;
using Tappaas.Cli.Output;
using Tappaas.Cli.Remote;
using Tappaas.Client;

namespace Tappaas.Cli.Commands;

/// <summary><c>tappaas events [-f] [--json]</c>: what happened in the site (runs, recoveries, backups, disk), oldest first.</summary>
internal static class EventsCommand
{

    public static Command Create(TextWriter output, TextWriter error)
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events as they happen until interrupted." };
        var limit = new Option<int>("--limit") { Description = "How many of the latest events to show first.", DefaultValueFactory = _ => 50 };
        var command = new Command("events", "Show the site's events: runs and their outcome, recoveries, backups, disk warnings.") { follow, limit, CommonOptions.Json };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (client, token) =>
        {
            var answer = await client.EventsAsync(0, 100_000, token);
            if (answer.Value is not { } events)
            {
                return Dispatch.Fail(error, answer.Problem!);
            }

            var json = result.GetValue(CommonOptions.Json);
            var shown = events.TakeLast(Math.Max(0, result.GetValue(limit))).ToList();
            if (json && !result.GetValue(follow))
            {
                DiagnosticPrinter.PrintRecord(output, shown);
                return ExitCodes.Ok;
            }

            shown.ForEach(e => Print(output, e, json));
            if (result.GetValue(follow) && await client.OpenEventsAsync(events.LastOrDefault()?.Id ?? 0, token) is { } stream)
            {
                await foreach (var e in stream)
                {
                    Print(output, e, json);
                }
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    // Followed JSON is one event per line (JSON Lines), so a reader can act on each as it arrives.
    private static void Print(TextWriter output, EventV1 e, bool json)
    {
        output.WriteLine(json
            ? System.Text.Json.JsonSerializer.Serialize(e, ApiJson.Default.EventV1)
            : $"{e.At:u}  {e.Module,-16} {e.Kind,-16} {e.Message}");
        output.Flush();
    }
}
