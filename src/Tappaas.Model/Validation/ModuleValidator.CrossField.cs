using Tappaas.Model.Diagnostics;
using Tappaas.Model.Images;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Model.Zones;

namespace Tappaas.Model.Validation;

public static partial class ModuleValidator
{
    private static void CheckCrossField(ModuleDefinition module, ValidationContext context, DiagnosticSink sink)
    {
        if (module.Text("imageType") is "iso" or "img" && !module.Has("imageLocation"))
        {
            var f = module.Field("imageType")!;
            sink.Error(DiagnosticCodes.ImageLocationRequired, f.SourcePath, f.Position,
                $"imageType \"{module.Text("imageType")}\" needs imageLocation (where to download \"{module.Text("image")}\" from)",
                "add \"imageLocation\": \"https://…/\" or an absolute path on the node");
        }

        CheckImage(module, sink);
        if (module.DependsOnService("cluster:vm") && module.DependsOnService("cluster:lxc"))
        {
            var f = module.Field("dependsOn")!;
            sink.Error(DiagnosticCodes.VmAndLxc, f.SourcePath, f.Position,
                "dependsOn lists both cluster:vm and cluster:lxc; a module is one guest, either a VM or a container",
                "keep one of them");
        }

        CheckNodes(module, context, sink);
        if (context.Zones is { } zones)
        {
            CheckZone(module, "zone0", zones, sink);
            CheckZone(module, "zone1", zones, sink);
            CheckTrunks(module, "trunks0", zones, sink);
            CheckTrunks(module, "trunks1", zones, sink);
            CheckAllowedZones(module, zones, sink);
        }
    }

    /// <summary>An OCI image module names a valid reference; any other workload names its command.</summary>
    private static void CheckImage(ModuleDefinition module, DiagnosticSink sink)
    {
        var oci = module.Text("imageType") == "oci";
        if (oci && module.Field("image") is { } image && ImageReference.TryParse(image.Value.ScalarText, out var problem) is null)
        {
            sink.Error(DiagnosticCodes.ImageReferenceInvalid, image.SourcePath, image.Value.Position, $"image \"{image.Value.ScalarText}\" is not an OCI image reference: {problem}",
                "write registry/name:tag, e.g. \"docker.io/library/nginx:1.27\", \"ghcr.io/owner/app@sha256:…\" or \"127.0.0.1:5000/web:1\"");
        }

        if (module.Field("workload") is { Value: JObject workload } field && workload["command"] is null && !oci)
        {
            sink.Error(DiagnosticCodes.InvalidItem, field.SourcePath, workload.Position, "workload.command must be the program to run",
                "write e.g. \"command\": \"/usr/bin/python3\" (only a module with imageType \"oci\" may leave it to its image)");
        }
    }

    private static void CheckNodes(ModuleDefinition module, ValidationContext context, DiagnosticSink sink)
    {
        var haField = module.Field("HANode");
        var haNode = haField?.Value is JNull ? null : module.Text("HANode");
        var node = module.Field("node")?.Value is JNull ? null : module.Node;
        var effectiveNode = node ?? context.Site?.DefaultNode;
        if (haField is not null && haNode is not null && effectiveNode is not null && haNode == effectiveNode)
        {
            sink.Error(DiagnosticCodes.HaNodeEqualsNode, haField.SourcePath, haField.Position,
                $"HANode \"{haNode}\" is the same as the node the module runs on{(node is null ? " (the site's first node)" : "")}; failover needs a second node",
                "set HANode to another node, or remove it to use the first other node");
        }

        if (context.Site is { Nodes.Count: > 0 } site)
        {
            var known = site.Nodes.Select(n => n.Hostname).ToList();
            foreach (var (name, value, field) in new[] { ("node", node, module.Field("node")), ("HANode", haNode, haField) })
            {
                if (value is not null && field is not null && !known.Contains(value))
                {
                    sink.Warning(DiagnosticCodes.HaNodeUnknown, field.SourcePath, field.Position,
                        $"{name} \"{value}\" is not a node of the site ({string.Join(", ", known)})",
                        $"use one of {string.Join(", ", known)} or add the node to tappaas-nodes in {site.File}");
                }
            }
        }
    }

    private static void CheckZone(ModuleDefinition module, string fieldName, ZoneSet zones, DiagnosticSink sink)
    {
        if (module.Field(fieldName) is not { Value: JString { Value: var name } } field)
        {
            return;
        }

        var zone = zones.Find(name);
        if (zone is null)
        {
            sink.Error(DiagnosticCodes.ZoneUnknown, field.SourcePath, field.Position,
                $"{fieldName} \"{name}\" is not a zone in {zones.File}",
                $"use one of the deployable zones ({DeployableList(zones)}) or add \"{name}\" to zones.json");
        }
        else if (zone.State is { } state && !state.IsDeployable())
        {
            sink.Error(DiagnosticCodes.ZoneNotDeployable, field.SourcePath, field.Position,
                $"{fieldName} \"{name}\" is {state} in {zones.File}; modules can only be placed in Active, Mandatory or Manual zones",
                $"activate the zone (set \"state\": \"Active\" for \"{name}\") or choose another zone ({DeployableList(zones)})");
        }
    }

    private static void CheckTrunks(ModuleDefinition module, string fieldName, ZoneSet zones, DiagnosticSink sink)
    {
        if (module.Field(fieldName) is not { Value: JString { Value: var text } } field || text is "ALL" or "*" or "NONE")
        {
            return;
        }

        foreach (var name in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (zones.Find(name) is not { } zone)
            {
                sink.Error(DiagnosticCodes.ZoneUnknown, field.SourcePath, field.Position,
                    $"{fieldName} names zone \"{name}\", which is not in {zones.File}", $"remove \"{name}\" or add it to zones.json");
            }
            else if (zone.State is { } state && !state.IsDeployable())
            {
                sink.Warning(DiagnosticCodes.ZoneNotDeployable, field.SourcePath, field.Position,
                    $"{fieldName} names zone \"{name}\", which is {state}; its VLAN is not created", $"activate \"{name}\" or remove it from {fieldName}");
            }
        }
    }

    private static void CheckAllowedZones(ModuleDefinition module, ZoneSet zones, DiagnosticSink sink)
    {
        if (module.Field("proxyAllowedZones") is not { Value: JArray array } field)
        {
            return;
        }

        for (var i = 0; i < array.Items.Count; i++)
        {
            if (array.Items[i] is JString { Value: var name } && name != "internet" && zones.Find(name) is null)
            {
                sink.Error(DiagnosticCodes.ZoneUnknown, JsonPathText.Index(field.SourcePath, i), array.Items[i].Position,
                    $"proxyAllowedZones names \"{name}\", which is not a zone in {zones.File}", "list zone names from zones.json, or \"internet\"");
            }
        }
    }

    private static string DeployableList(ZoneSet zones) =>
        string.Join(", ", zones.Zones.Where(z => z.State?.IsDeployable() == true).Select(z => z.Name).Take(12));
}
