using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Apply;

namespace Tappaas.Engine;

public sealed partial class SiteEngine
{
    /// <summary>Runs every dependency's test and the module's own (read-only, no lock): Ok (0), Failed (1) or Fatal (2).</summary>
    public async Task<OperationResult> TestAsync(string module, HookFlags flags, CancellationToken cancellationToken)
    {
        if (await Store.GetModuleAsync(module, cancellationToken) is not { } record)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"module \"{module}\" is not installed in this site");
        }

        var definition = Parse(module, record.Definition);
        var recorded = (await Store.ListModulesAsync(cancellationToken)).ToDictionary(m => m.Name, StringComparer.Ordinal);
        var folder = definition.Text("location") ?? Layout.ConfigDir;
        var steps = definition.DependsOn.Select((d, i) => new ApplyStep(i, StepKind.ServiceUpdate, module, d.ToString(),
            ProviderFolder(d.Module, [], recorded, new Dictionary<string, string> { [module] = folder }))).ToList();
        var payload = new ApplyPayload { Command = "test", Previous = new() { [module] = record.Definition }, Folders = new() { [module] = folder }, Steps = steps };
        return await TestRunner.TestAsync(definition, Context(payload, flags), cancellationToken);
    }
}
