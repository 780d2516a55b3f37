using Tappaas.Abstractions.Providers;

namespace Tappaas.Hooks;

/// <summary>Runs a module's own scripts (install.sh, update.sh, test.sh, pre-update.sh, delete.sh) from its folder.</summary>
public sealed class ModuleHookScripts(HookRunner runner) : IModuleHooks
{
    /// <inheritdoc />
    public bool Has(string hook, string moduleFolder) => File.Exists(Path.Combine(moduleFolder, hook + ".sh"));

    /// <inheritdoc />
    public async ValueTask<OperationResult> RunAsync(string hook, ModuleHookRequest request, CancellationToken cancellationToken, string absent = "no hook")
    {
        var script = Path.Combine(request.ModuleFolder, hook + ".sh");
        return File.Exists(script)
            ? await runner.RunAsync(script, request.Module, request.ModuleFolder, request.SiteFolder, request.Flags, cancellationToken)
            : hook == "test" ? OperationResult.Skip(absent) : OperationResult.Ok(absent);
    }
}
