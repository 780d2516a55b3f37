using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Tappaas.Cli.Output;
using Tappaas.Cli.Remote;

namespace Tappaas.Cli.Commands;

/// <summary><c>nodes</c>, <c>migrate</c> and <c>evacuate</c>: the cluster the site runs on.</summary>
internal static class ClusterCommands
{
    public static Command Nodes(TextWriter output, TextWriter error)
    {
        var command = new Command("nodes", "Show the site's nodes: status, load, memory and storage (from Proxmox VE when the site uses it).") { CommonOptions.Json };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (api, token) =>
        {
            var answer = await api.NodesAsync(token);
            if (answer.Value is not { } nodes)
            {
                return Dispatch.Fail(error, answer.Problem!);
            }

            var rows = nodes.Select(n => (n.Name, n.Status,
                Cpu: n.CpuUse is { } use ? (use * 100).ToString("0", CultureInfo.InvariantCulture) + "% cpu" : n.Cpus > 0 ? $"load {n.Load1.ToString("0.00", CultureInfo.InvariantCulture)}" : "",
                Memory: n.MemoryMiB > 0 ? $"{Gib((n.MemoryMiB - n.MemoryAvailableMiB) * 1024 * 1024)}/{Gib(n.MemoryMiB * 1024 * 1024)} GiB" : "",
                Storage: string.Join(", ", (n.Storage ?? []).Select(s => $"{s.Name} {Gib(s.UsedBytes)}/{Gib(s.TotalBytes)} GiB")))).ToList();
            if (result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintJson(output, JsonOut.Array(rows, r => new JsonObject { ["node"] = r.Name, ["status"] = r.Status, ["cpu"] = r.Cpu, ["memory"] = r.Memory, ["storage"] = r.Storage }));
            }
            else
            {
                foreach (var r in rows)
                {
                    output.WriteLine($"{r.Name,-16} {r.Status,-20} {r.Cpu,-10} {r.Memory,-16} {r.Storage}");
                }
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command Migrate(TextWriter output, TextWriter error)
    {
        var module = CompletionCommand.Modules(new Argument<string>("MODULE") { Description = "An installed module with cluster:ha." });
        var node = new Option<string?>("--node") { Description = "Target node (default: HANode when on node, else back to node)." };
        var command = new Command("migrate", "Move a module's VM to another node, keeping its HA rule.") { module, node };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (api, token) =>
        {
            var answer = await api.MigrateAsync(result.GetValue(module)!, result.GetValue(node), token);
            if (answer.Value is not { } moved)
            {
                Dispatch.Fail(error, answer.Problem!);
                output.WriteLine("migrate: failed");
                return ExitCodes.Failed;
            }

            output.WriteLine(moved.Message);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command Evacuate(TextWriter output, TextWriter error)
    {
        var node = new Argument<string>("NODE") { Description = "The node to empty (e.g. before maintenance)." };
        var command = new Command("evacuate", "Move every module VM with a second node (HANode) off a node.") { node };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (api, token) =>
        {
            var answer = await api.EvacuateAsync(result.GetValue(node)!, token);
            if (answer.Value is not { } moved)
            {
                return Dispatch.Fail(error, answer.Problem!);
            }

            foreach (var m in moved)
            {
                output.WriteLine($"{m.Module}: {m.Message}");
            }

            return moved.All(m => m.Succeeded) ? ExitCodes.Ok : ExitCodes.Failed;
        }, ct));
        return command;
    }

    private static string Gib(long bytes) => (bytes / (1024.0 * 1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture);
}
