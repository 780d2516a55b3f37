using System.CommandLine;
using System.Globalization;
using Tappaas.Abstractions.Providers;
using Tappaas.Cli.Output;
using Tappaas.Composition;
using Tappaas.Engine.Apply;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Platform.Proxmox.Api;
using Tappaas.Platform.Proxmox.Ha;

namespace Tappaas.Cli.Commands;

/// <summary><c>nodes</c>, <c>migrate</c> and <c>evacuate</c>: the cluster the site runs on.</summary>
internal static class ClusterCommands
{
    public static Command Nodes(TextWriter output, TextWriter error)
    {
        var command = new Command("nodes", "Show the site's nodes: status, load, memory and storage (from Proxmox VE when the site uses it).") { CommonOptions.Json };
        command.SetAction((result, ct) => SiteCommand.RunAsync(result, error, async (session, token) =>
        {
            var (site, _, _) = session.Engine.ReadSite();
            var usesProxmox = site?.Backends.Values.Contains("proxmox") == true;
            var rows = new List<(string Node, string Status, string Cpu, string Memory, string Storage)>();
            if (usesProxmox)
            {
                if (session.Providers.ProxmoxClient is not { Client: { } client })
                {
                    error.WriteLine($"error: {session.Providers.ProxmoxClient.Error}");
                    return ExitCodes.Failed;
                }

                try
                {
                    foreach (var n in (await client.GetAsync("nodes", null, token)).EnumerateArray().OrderBy(n => n.GetProperty("node").GetString(), StringComparer.Ordinal))
                    {
                        var name = n.GetProperty("node").GetString()!;
                        var storage = await client.GetAsync($"nodes/{name}/storage", null, token);
                        rows.Add((name, n.GetProperty("status").GetString() ?? "", Percent(n, "cpu", 1), $"{Gib(n, "mem")}/{Gib(n, "maxmem")} GiB",
                            string.Join(", ", storage.EnumerateArray().Select(s => $"{s.GetProperty("storage").GetString()} {Gib(s, "used")}/{Gib(s, "total")} GiB"))));
                    }
                }
                catch (PveApiException ex)
                {
                    error.WriteLine($"error: {ex.Message}");
                    return ExitCodes.Failed;
                }
            }
            else
            {
                var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg", token)).Split(' ')[0] : "?";
                foreach (var n in site?.Nodes ?? [])
                {
                    var local = string.Equals(n.Hostname, Environment.MachineName, StringComparison.OrdinalIgnoreCase) || n.Ip == "127.0.0.1";
                    rows.Add((n.Hostname, local ? "online (this host)" : "unknown", local ? $"load {load}" : "", "", ""));
                }
            }

            if (result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintJson(output, rows.Select(r => new { node = r.Node, status = r.Status, cpu = r.Cpu, memory = r.Memory, storage = r.Storage }));
            }
            else
            {
                foreach (var r in rows)
                {
                    output.WriteLine($"{r.Node,-16} {r.Status,-20} {r.Cpu,-10} {r.Memory,-16} {r.Storage}");
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
        command.SetAction((result, ct) => SiteCommand.RunAsync(result, error, async (session, token) =>
        {
            if (await HaProviderAsync(session, error) is not { } ha)
            {
                return ExitCodes.Failed;
            }

            var (applyLock, heldBy) = await ApplyLock.AcquireAsync(session.Store, TimeProvider.System, "migrate", token);
            if (applyLock is null)
            {
                error.WriteLine($"error: the site is locked by {heldBy!.Host}:{heldBy.ProcessId} ({heldBy.Command})");
                return ExitCodes.Failed;
            }

            await using (applyLock)
            {
                if (await RequestAsync(session, result.GetValue(module)!, token) is not { } request)
                {
                    error.WriteLine($"error: module \"{result.GetValue(module)}\" is not installed");
                    return ExitCodes.Failed;
                }

                var r = await ha.MigrateAsync(request, result.GetValue(node), token);
                DiagnosticPrinter.PrintHuman(error, r.Diagnostics);
                output.WriteLine(r.Succeeded ? r.Output : "migrate: failed");
                return r.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
            }
        }, ct));
        return command;
    }

    public static Command Evacuate(TextWriter output, TextWriter error)
    {
        var node = new Argument<string>("NODE") { Description = "The node to empty (e.g. before maintenance)." };
        var command = new Command("evacuate", "Move every module VM with a second node (HANode) off a node.") { node };
        command.SetAction((result, ct) => SiteCommand.RunAsync(result, error, async (session, token) =>
        {
            if (await HaProviderAsync(session, error) is not { } ha)
            {
                return ExitCodes.Failed;
            }

            var requests = new List<ProviderRequest>();
            foreach (var m in await session.Store.ListModulesAsync(token))
            {
                if (await RequestAsync(session, m.Name, token) is { } r && r.Consumer.DependsOnService("cluster:ha"))
                {
                    requests.Add(r);
                }
            }

            var results = await ha.EvacuateAsync(requests, result.GetValue(node)!, token);
            foreach (var (module, r) in results)
            {
                output.WriteLine($"{module}: {(r.Succeeded ? r.Output : r.Message)}");
            }

            return results.All(r => r.Result.Succeeded) ? ExitCodes.Ok : ExitCodes.Failed;
        }, ct));
        return command;
    }

    private static Task<ProxmoxHaProvider?> HaProviderAsync(SiteSession session, TextWriter error)
    {
        if (session.Providers.ProxmoxClient is not { Client: { } client })
        {
            error.WriteLine($"error: migration needs Proxmox VE: {session.Providers.ProxmoxClient.Error}");
            return Task.FromResult<ProxmoxHaProvider?>(null);
        }

        return Task.FromResult<ProxmoxHaProvider?>(new ProxmoxHaProvider(client));
    }

    private static async Task<ProviderRequest?> RequestAsync(SiteSession session, string name, CancellationToken token)
    {
        if (await session.Store.GetModuleAsync(name, token) is not { Status: "installed" } record)
        {
            return null;
        }

        var module = new ModuleDefinition(name, name + ".json", (JObject)JsonSource.Parse(name, System.Text.Encoding.UTF8.GetBytes(record.Definition)).Root!);
        return new ProviderRequest(module, ServiceRef.Parse("cluster:ha"), module.Text("location") ?? session.Layout.ConfigDir, session.Layout.Root, HookFlags.None);
    }

    private static string Percent(System.Text.Json.JsonElement e, string key, double scale) =>
        e.TryGetProperty(key, out var v) ? (v.GetDouble() * 100 * scale).ToString("0", CultureInfo.InvariantCulture) + "% cpu" : "";

    private static string Gib(System.Text.Json.JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.TryGetInt64(out var bytes) ? (bytes / (1024.0 * 1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) : "?";
}
