namespace Tappaas.Abstractions.Providers;

/// <summary>A module's own lifecycle scripts (upstream's install.sh, update.sh, test.sh, pre-update.sh, delete.sh).</summary>
public interface IModuleHooks
{
    /// <summary>Runs <c>&lt;name&gt;.sh</c> from the module's folder if it exists; an absent hook succeeds with <paramref name="absent"/> as output.</summary>
    ValueTask<OperationResult> RunAsync(string hook, ModuleHookRequest request, CancellationToken cancellationToken, string absent = "no hook");

    /// <summary>True when the module's folder has the hook.</summary>
    bool Has(string hook, string moduleFolder);
}

/// <summary>A module hook invocation.</summary>
/// <param name="Module">The module (effective) name, passed as the only argument.</param>
/// <param name="ModuleFolder">The module's folder (working directory).</param>
/// <param name="SiteFolder">The site folder.</param>
/// <param name="Flags">Operator flags.</param>
public sealed record ModuleHookRequest(string Module, string ModuleFolder, string SiteFolder, HookFlags Flags);
