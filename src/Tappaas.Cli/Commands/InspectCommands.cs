using System.CommandLine;
using System.Text.Json.Nodes;
using Tappaas.Cli.Output;
using Tappaas.Cli.Remote;
using Tappaas.Client;

namespace Tappaas.Cli.Commands;

/// <summary><c>status</c>, <c>history</c> and <c>journal</c>: read-only views of the site's state.</summary>
internal static class InspectCommands
{
    public static Command Status(TextWriter output, TextWriter error)
    {
        var command = new Command("status", "List the site's modules with revision and status, and the last runs.") { CommonOptions.Json };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (client, token) =>
        {
            var answer = await client.StatusAsync(token);
            return answer.Value is { } status ? Print(output, status, result.GetValue(CommonOptions.Json)) : Dispatch.Fail(error, answer.Problem!);
        }, ct));
        return command;
    }

    private static int Print(TextWriter output, SiteStatusV1 status, bool json)
    {
        if (json)
        {
            DiagnosticPrinter.PrintRecord(output, status);
            return ExitCodes.Ok;
        }

        output.WriteLine($"site {status.Site} (state revision {status.StateRevision})");
        foreach (var m in status.Modules)
        {
            output.WriteLine($"  {m.Name,-24} r{m.Revision,-4} {m.Status,-10} {m.UpdatedAt:u}");
        }

        if (status.Modules.Count == 0)
        {
            output.WriteLine("  no modules installed");
        }

        foreach (var r in status.Runs)
        {
            output.WriteLine($"  run {r.Id}: {r.Command} {r.Status} ({r.StartedAt:u})");
        }

        foreach (var g in status.Guests)
        {
            var health = g.Status == "absent" ? "absent" : $"{g.Status}{(g.Ready ? " ready" : "")}{(g.Supervised ? "" : " (no supervisor)")}";
            var disk = g.Status == "absent" ? "" : $", disk {Bytes(g.DiskBytes ?? 0)}{(g.DiskLimitBytes is { } l ? " of " + Bytes(l) : "")}{(g.DiskOver ? " OVER" : "")}";
            output.WriteLine($"  guest {g.Guest,-20} {health}, isolation: {g.Isolation}, {g.Address}, cgroup: {(string.IsNullOrEmpty(g.Cgroup) ? "none" : g.Cgroup)}, restarts {g.Restarts}{disk}");
            if (g is { Reason.Length: > 0 } && g.Status != "running")
            {
                output.WriteLine($"        reason: {g.Reason}");
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>A size for people: 1.5 GiB, 12.0 MiB, 512 B.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) + " B",
    };

    public static Command History(TextWriter output, TextWriter error)
    {
        var module = CompletionCommand.Modules(new Argument<string>("MODULE") { Description = "A module." });
        var command = new Command("history", "List every applied revision of a module.") { module, CommonOptions.Json };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (client, token) =>
        {
            var answer = await client.HistoryAsync(result.GetValue(module)!, token);
            if (answer.Value is not { } revisions)
            {
                return Dispatch.Fail(error, answer.Problem!);
            }

            if (result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintRecord(output, revisions);
                return ExitCodes.Ok;
            }

            foreach (var h in revisions)
            {
                output.WriteLine($"r{h.Revision,-4} {h.AppliedAt:u}  {h.Reason}{(h.Image is { } image ? $"  image {image}" : "")}");
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command Journal(TextWriter output, TextWriter error)
    {
        var run = new Argument<long?>("RUN") { Description = "A run id (default: the latest).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("journal", "Show the step journal of a run: every step before and after it ran, and any rollback.") { run, CommonOptions.Json };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (client, token) =>
        {
            var id = result.GetValue(run);
            if (id is null)
            {
                var status = await client.StatusAsync(token);
                if (status.Value is null)
                {
                    return Dispatch.Fail(error, status.Problem!);
                }

                id = status.Value.Runs.FirstOrDefault()?.Id;
            }

            if (id is null)
            {
                output.WriteLine("no runs yet");
                return ExitCodes.Ok;
            }

            var answer = await client.JournalAsync(id.Value, token);
            if (answer.Value is not { } steps)
            {
                return Dispatch.Fail(error, answer.Problem!);
            }

            PrintJournal(output, steps.Select(e => (e.Step, e.Address, e.Phase, e.Detail, e.At)), result.GetValue(CommonOptions.Json));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static void PrintJournal(TextWriter output, IEnumerable<(int Step, string Address, string Phase, string Detail, DateTimeOffset At)> entries, bool json)
    {
        if (json)
        {
            DiagnosticPrinter.PrintJson(output, JsonOut.Array(entries, e => new JsonObject { ["step"] = e.Step, ["address"] = e.Address, ["phase"] = e.Phase, ["detail"] = e.Detail, ["at"] = e.At }));
            return;
        }

        foreach (var e in entries)
        {
            output.WriteLine($"{e.At:HH:mm:ss.fff} #{e.Step,-3} {e.Phase,-9} {e.Address}{(e.Detail.Length > 0 ? "  " + e.Detail.Split('\n')[0] : "")}");
        }
    }
}
