using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;
using Tappaas.Model.Loading;
using Tappaas.Model.Modules;

namespace Tappaas.Model.Validation;

/// <summary>
/// Every service a module provides needs <c>services/&lt;svc&gt;/install-service.sh</c> and <c>update-service.sh</c>
/// in the module's folder (upstream's install refuses the module otherwise). Checked only when something is known
/// about the folder's scripts, so bare folders of JSON files are not flagged.
/// </summary>
internal static class ServiceHooksChecker
{
    private static readonly string[] s_required = ["install-service.sh", "update-service.sh"];

    public static void Check(IEnumerable<ModuleDefinition> modules, DiagnosticBag bag)
    {
        var inventory = new HookInventory();
        foreach (var module in modules)
        {
            if (inventory.For(Path.GetDirectoryName(Path.GetFullPath(module.File)) ?? ".") is not { } hooks)
            {
                continue;
            }

            var provides = module.Field("provides");
            var items = provides?.Value as JArray;
            for (var i = 0; i < module.Provides.Count; i++)
            {
                var svc = module.Provides[i];
                var present = hooks.ServiceScripts.GetValueOrDefault(svc) ?? [];
                var missing = s_required.Where(s => !present.Contains(s)).ToList();
                if (missing.Count == 0)
                {
                    continue;
                }

                var node = items?.Items.OfType<JString>().FirstOrDefault(s => s.Value == svc);
                bag.Add(Diagnostic.Warning(DiagnosticCodes.ServiceHooksMissing,
                    new SourceLocation(module.File, provides!.SourcePath, node?.Position.Line ?? 0, node?.Position.Column ?? 0),
                    $"module \"{module.Name}\" provides \"{svc}\" but has no services/{svc}/{string.Join(" or ", missing)}",
                    $"add the hook scripts under services/{svc}/, or remove \"{svc}\" from provides; consumers of {module.Name}:{svc} cannot be installed without them"));
            }
        }
    }
}
