using Tappaas.Model.Diagnostics;
using Tappaas.Model.Fields;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Model.Validation;

namespace Tappaas.Model.Loading;

/// <summary>Checks sidecar files with the same item rules as the module fields they feed.</summary>
internal static class SidecarValidator
{
    public static void CheckPinhole(JObject root, DiagnosticSink sink)
    {
        if (root["ports"] is not { } ports)
        {
            sink.Error(DiagnosticCodes.SidecarInvalid, "$", root.Position, "pinhole.json has no \"ports\" list",
                "add \"ports\": [{\"port\": 8080, \"protocol\": \"TCP\", \"description\": \"…\"}]");
            return;
        }

        ModuleValidator.CheckFieldValue(ModuleFields.Find("ports")!, new FlatField("ports", ports, "$.ports", root.Property("ports")!.NamePosition, null), sink);
    }

    public static void CheckAliases(JObject root, DiagnosticSink sink)
    {
        var aliases = new JObject(root.Properties.Where(p => !p.Name.StartsWith('$') && !p.Name.StartsWith('_')));
        ModuleValidator.CheckFieldValue(ModuleFields.Find("aliases")!, new FlatField("aliases", aliases, "$", root.Position, null), sink);
    }
}
