using Tappaas.Abstractions.Providers;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Modules;

namespace Tappaas.Engine.Apply;

/// <summary>
/// Upstream's test contract: every dependency's test (in dependsOn order), then the module's own test.sh. Fatal if any
/// is fatal, failed if any failed; a test that does not exist is reported skipped, not ok.
/// </summary>
internal static class TestRunner
{
    public static async ValueTask<OperationResult> TestAsync(ModuleDefinition module, StepContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<Diagnostic>();
        var output = new System.Text.StringBuilder();
        var worst = OperationStatus.Ok;
        foreach (var dep in module.DependsOn)
        {
            var folder = context.Payload.Steps.FirstOrDefault(s => s.Service == dep.ToString())?.ProviderFolder ?? context.Folder(dep.Module);
            var provider = context.Providers.Resolve(dep, folder);
            var result = (await provider.TestAsync(new ProviderRequest(module, dep, context.Folder(module.Name), context.Layout.Root, context.Flags) { Site = context.Site }, cancellationToken))
                .At(module.LocationOf(dep));
            Collect(result, $"{dep}: ");
        }

        Collect(await context.Hooks.RunAsync("test", context.HookRequest(module.Name), cancellationToken, "no test.sh"), "test.sh: ");
        return new OperationResult(worst, diagnostics, output.ToString());

        void Collect(OperationResult r, string prefix)
        {
            output.Append(prefix).Append(r.Skipped ? $"skipped ({r.Output.Trim()})" : r.Succeeded ? "ok" : r.Message).Append('\n');
            diagnostics.AddRange(r.Diagnostics);
            worst = (OperationStatus)Math.Max((int)worst, (int)r.Status);
        }
    }
}
