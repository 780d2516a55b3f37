using System.CommandLine;
using Tappaas.Cli.Output;
using Tappaas.Composition;
using Tappaas.Platform.Embedded.Runtime;

namespace Tappaas.Cli.Commands;

/// <summary><c>status</c>, <c>history</c> and <c>journal</c>: read-only views of the site's state.</summary>
internal static class InspectCommands
{
    public static Command Status(TextWriter output, TextWriter error)
    {
        var command = new Command("status", "List the site's modules with revision and status, and the last runs.") { CommonOptions.Json };
        command.SetAction((result, ct) => SiteCommand.RunAsync(result, error, async (session, token) =>
        {
            var modules = await session.Store.ListModulesAsync(token);
            var runs = await session.Store.ListAppliesAsync(5, token);
            var holder = await session.Store.GetLockAsync(token);
            if (result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintJson(output, new
                {
                    site = session.Layout.Root,
                    stateRevision = await session.Store.GetRevisionAsync(token),
                    modules = modules.Select(m => new { name = m.Name, revision = m.Revision, status = m.Status, updatedAt = m.UpdatedAt }),
                    runs = runs.Select(r => new { id = r.Id, command = r.Command, status = r.Status, startedAt = r.StartedAt }),
                    locked = holder is null ? null : $"{holder.Host}:{holder.ProcessId} ({holder.Command})",
                    guests = Guests(session).Select(g => new
                    {
                        guest = g.Guest, module = g.Spec.Module, status = g.State?.Status ?? "absent", ready = g.State?.Ready ?? false, reason = g.State?.Reason,
                        supervised = g.Supervised, isolation = g.Spec.Isolation, address = g.Spec.Address, cgroup = g.State?.Cgroup, memoryMiB = g.Spec.MemoryMiB,
                        cores = g.Spec.Cores, restarts = g.State?.Restarts ?? 0, workloadPid = g.State?.WorkloadPid, diskBytes = g.State?.DiskBytes, diskLimitBytes = g.Spec.DiskLimitBytes,
                        diskOver = g.State?.DiskOver ?? false,
                    }),
                });
                return ExitCodes.Ok;
            }

            output.WriteLine($"site {session.Layout.Root} (state revision {await session.Store.GetRevisionAsync(token)})");
            foreach (var m in modules)
            {
                output.WriteLine($"  {m.Name,-24} r{m.Revision,-4} {m.Status,-10} {m.UpdatedAt:u}");
            }

            if (modules.Count == 0)
            {
                output.WriteLine("  no modules installed");
            }

            foreach (var r in runs)
            {
                output.WriteLine($"  run {r.Id}: {r.Command} {r.Status} ({r.StartedAt:u})");
            }

            foreach (var g in Guests(session))
            {
                var state = g.State;
                var health = state is null ? "absent" : $"{state.Status}{(state.Ready ? " ready" : "")}{(g.Supervised ? "" : " (no supervisor)")}";
                var disk = state is null ? "" : $", disk {DiskUsage.Text(state.DiskBytes)}{(g.Spec.DiskLimitBytes is { } l ? " of " + DiskUsage.Text(l) : "")}{(state.DiskOver ? " OVER" : "")}";
                output.WriteLine($"  guest {g.Guest,-20} {health}, isolation: {g.Spec.Isolation}, {g.Spec.Address}, cgroup: {state?.Cgroup ?? "none"}, restarts {state?.Restarts ?? 0}{disk}");
                if (state is { Reason.Length: > 0 } && state.Status != "running")
                {
                    output.WriteLine($"        reason: {state.Reason}");
                }
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static IEnumerable<(string Guest, GuestSpecFile Spec, GuestState? State, bool Supervised)> Guests(SiteSession session)
    {
        var runtime = new GuestRuntime(session.Layout.Root);
        return runtime.All().Select(g => (g.Guest, g.Spec, runtime.State(g.Guest), runtime.SupervisorAlive(g.Guest)));
    }

    public static Command History(TextWriter output, TextWriter error)
    {
        var module = new Argument<string>("MODULE") { Description = "A module." };
        var command = new Command("history", "List every applied revision of a module.") { module, CommonOptions.Json };
        command.SetAction((result, ct) => SiteCommand.RunAsync(result, error, async (session, token) =>
        {
            var history = await session.Store.HistoryAsync(result.GetValue(module)!, token);
            if (history.Count == 0)
            {
                error.WriteLine($"error: module \"{result.GetValue(module)}\" has no history in this site");
                return ExitCodes.Failed;
            }

            if (result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintJson(output, history.Select(h => new { revision = h.Revision, reason = h.Reason, appliedAt = h.AppliedAt, definition = h.Definition }));
            }
            else
            {
                foreach (var h in history)
                {
                    output.WriteLine($"r{h.Revision,-4} {h.AppliedAt:u}  {h.Reason}");
                }
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command Journal(TextWriter output, TextWriter error)
    {
        var run = new Argument<long?>("RUN") { Description = "A run id (default: the latest).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("journal", "Show the step journal of a run: every step before and after it ran, and any rollback.") { run, CommonOptions.Json };
        command.SetAction((result, ct) => SiteCommand.RunAsync(result, error, async (session, token) =>
        {
            var id = result.GetValue(run) ?? (await session.Store.ListAppliesAsync(1, token)).FirstOrDefault()?.Id;
            if (id is null)
            {
                output.WriteLine("no runs yet");
                return ExitCodes.Ok;
            }

            var entries = await session.Store.ReadJournalAsync(id.Value, token);
            if (result.GetValue(CommonOptions.Json))
            {
                DiagnosticPrinter.PrintJson(output, entries.Select(e => new { step = e.Step, address = e.Address, phase = e.Phase, detail = e.Detail, at = e.At }));
            }
            else
            {
                foreach (var e in entries)
                {
                    output.WriteLine($"{e.At:HH:mm:ss.fff} #{e.Step,-3} {e.Phase,-9} {e.Address}{(e.Detail.Length > 0 ? "  " + e.Detail.Split('\n')[0] : "")}");
                }
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
