using System.CommandLine;
using Tappaas.Cli.Remote;
using Tappaas.Client;
using Tappaas.Composition;

namespace Tappaas.Cli.Commands;

/// <summary><c>install</c>, <c>update</c>, <c>rollback</c>, <c>resume</c>: journalled runs under the site lock.</summary>
internal static class LifecycleCommands
{
    public static Command Install(TextWriter output, TextWriter error)
    {
        var modules = new Argument<string[]>("MODULE") { Description = "Module files, module folders, or module names found in the site's repositories.", Arity = ArgumentArity.OneOrMore };
        var force = new Option<bool>("--force") { Description = "Run the install again for a module that is already installed." };
        var command = new Command("install", "Install modules (and their dependencies given alongside) in dependency order; a failure rolls back.")
        {
            modules, force, CommonOptions.Json, SiteOptions.Debug, SiteOptions.Silent,
        };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (client, token) =>
        {
            var (names, uploads, problem) = ModuleUploadPacker.For(client, result.GetValue(modules)!);
            if (problem is not null)
            {
                error.WriteLine($"error: {problem}");
                return ExitCodes.Usage;
            }

            var json = result.GetValue(CommonOptions.Json);
            var answer = await LiveProgress.RunAsync(client, error, json, $"installing {string.Join(", ", names.Select(Path.GetFileName).Concat(uploads?.Select(u => u.Name) ?? []))}",
                t => client.InstallAsync(names, result.GetValue(force), t, Hooks(result), uploads), token);
            return ApiPrinter.Outcome(output, error, answer, json, "install");
        }, ct));
        return command;
    }

    public static Command Update(TextWriter output, TextWriter error)
    {
        var module = CompletionCommand.Modules(new Argument<string>("MODULE") { Description = "An installed module." });
        var force = new Option<bool>("--force") { Description = "Continue when the pre-update test fails." };
        var noSnapshot = new Option<bool>("--no-snapshot") { Description = "Skip the snapshot and the pre-update test (no automatic safety net)." };
        var command = new Command("update", "Update an installed module from its release: merge, snapshot, test, hooks, test; roll back on a fatal step.")
        {
            module, force, noSnapshot, CommonOptions.Json, SiteOptions.Debug, SiteOptions.Silent,
        };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (client, token) =>
        {
            var json = result.GetValue(CommonOptions.Json);
            var answer = await LiveProgress.RunAsync(client, error, json, $"updating {result.GetValue(module)}",
                t => client.UpdateAsync(result.GetValue(module)!, result.GetValue(force), result.GetValue(noSnapshot), t, Hooks(result)), token);
            return ApiPrinter.Outcome(output, error, answer, json, "update", rolledBackExit: 2, warningsExit: 1);
        }, ct));
        return command;
    }

    public static Command Scale(TextWriter output, TextWriter error)
    {
        var module = CompletionCommand.Modules(new Argument<string>("MODULE") { Description = "An installed module with a workload." });
        var replicas = new Argument<int>("N") { Description = $"How many replicas should run (0 to {Model.Resolved.WorkloadLimits.MaxReplicas})." };
        var command = new Command("scale", "Run N replicas of a module's workload: missing ones start, surplus ones stop (a journalled run, a new revision).")
        {
            module, replicas, CommonOptions.Json,
        };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (client, token) =>
        {
            var json = result.GetValue(CommonOptions.Json);
            var answer = await LiveProgress.RunAsync(client, error, json, $"scaling {result.GetValue(module)} to {result.GetValue(replicas)}",
                t => client.ScaleAsync(result.GetValue(module)!, result.GetValue(replicas), t), token);
            return ApiPrinter.Outcome(output, error, answer, json, "scale");
        }, ct));
        return command;
    }

    public static Command Promote(TextWriter output, TextWriter error)
    {
        var module = CompletionCommand.Modules(new Argument<string>("MODULE") { Description = "A module whose update runs canaries." });
        var command = new Command("promote", "Promote an update's canaries: the old guests are replaced one by one (a journalled run).") { module, CommonOptions.Json };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (client, token) =>
        {
            var json = result.GetValue(CommonOptions.Json);
            var answer = await LiveProgress.RunAsync(client, error, json, $"promoting {result.GetValue(module)}", t => client.PromoteAsync(result.GetValue(module)!, t), token);
            return ApiPrinter.Outcome(output, error, answer, json, "promote");
        }, ct));
        return command;
    }

    public static Command Rollback(TextWriter output, TextWriter error)
    {
        var module = CompletionCommand.Modules(new Argument<string>("MODULE") { Description = "An installed module." });
        var to = new Option<int?>("--to") { Description = "The revision to return to (default: the previous one)." };
        var command = new Command("rollback", "Re-apply an earlier revision of a module as a new revision.") { module, to, CommonOptions.Json };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (client, token) =>
        {
            var json = result.GetValue(CommonOptions.Json);
            var answer = await LiveProgress.RunAsync(client, error, json, $"rolling back {result.GetValue(module)}",
                t => client.RollbackAsync(result.GetValue(module)!, result.GetValue(to), t), token);
            return ApiPrinter.Outcome(output, error, answer, json, "rollback", rolledBackExit: 2, warningsExit: 1);
        }, ct));
        return command;
    }

    public static Command Resume(TextWriter output, TextWriter error)
    {
        var command = new Command("resume", "Finish a run interrupted by a crash (every mutating command does this first).") { CommonOptions.Json };
        command.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (api, token) =>
        {
            var answer = await api.ResumeAsync(token);
            if (answer.Value is { Status: SiteApi.NothingToResume } && !result.GetValue(CommonOptions.Json))
            {
                output.WriteLine("nothing to resume");
                return ExitCodes.Ok;
            }

            return ApiPrinter.Outcome(output, error, answer, result.GetValue(CommonOptions.Json), "resume");
        }, ct));
        return command;
    }

    /// <summary>How hook scripts run (--debug, --silent).</summary>
    public static HookOptionsV1 Hooks(ParseResult result) => new(result.GetValue(SiteOptions.Debug), result.GetValue(SiteOptions.Silent));
}
