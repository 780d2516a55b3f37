using Tappaas.Model.Diagnostics;
using Tappaas.Model.Fields;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;

namespace Tappaas.Model.Validation;

/// <summary>
/// Checks one module file: every rule of upstream's validator (types read textually, patterns, allowed values,
/// ranges, required fields, unknown fields as warnings, <c>-comment</c> keys ignored) plus the structural and
/// cross-field rules. Reports all problems; never throws for bad input.
/// </summary>
public static partial class ModuleValidator
{
    /// <summary>Validates <paramref name="module"/> and adds diagnostics to <paramref name="bag"/>.</summary>
    public static void Validate(ModuleDefinition module, ValidationContext context, DiagnosticBag bag)
    {
        var sink = new DiagnosticSink(module.File, bag);
        CheckConfigBlocks(module, sink);
        CheckConflicts(module, sink);
        foreach (var field in module.Fields)
        {
            if (ModuleFields.IsComment(field.Name) || field.Name == "config")
            {
                continue;
            }

            var def = ModuleFields.Find(field.Name);
            if (def is null)
            {
                sink.Warning(DiagnosticCodes.UnknownField, field.SourcePath, field.Position,
                    $"unknown field \"{field.Name}\"; it is kept, but no TAPPaaS service reads it", SuggestField(field.Name));
                continue;
            }

            CheckValue(def, field, sink);
        }

        CheckRequired(module, sink);
        CheckCrossField(module, context, sink);
    }

    private static void CheckConfigBlocks(ModuleDefinition module, DiagnosticSink sink)
    {
        if (module.Root.Property("config") is not { } configProperty)
        {
            return;
        }

        if (configProperty.Value is not JObject config)
        {
            sink.Error(DiagnosticCodes.WrongType, "$.config", configProperty.NamePosition,
                $"\"config\" is {configProperty.Value.KindName}, not an object of service blocks",
                "write \"config\": {\"cluster:vm\": {\"cores\": 2}} or move the fields to the top level");
            return;
        }

        var declared = module.Strings("dependsOn").ToHashSet(StringComparer.Ordinal);
        foreach (var block in config.Properties)
        {
            var path = JsonPathText.Member("$.config", block.Name);
            if (!ServiceRef.TryParse(block.Name, out _))
            {
                sink.Error(DiagnosticCodes.InvalidConfigKey, path, block.NamePosition,
                    $"config block \"{block.Name}\" is not a module:service name", "name the block after a dependsOn entry, e.g. \"cluster:vm\"");
            }
            else if (!declared.Contains(block.Name))
            {
                sink.Error(DiagnosticCodes.ConfigKeyNotInDependsOn, path, block.NamePosition,
                    $"config block \"{block.Name}\" is for a service that is not in dependsOn",
                    $"add \"{block.Name}\" to dependsOn, or move its fields into the block of a declared dependency");
            }

            if (block.Value is not JObject)
            {
                sink.Error(DiagnosticCodes.ConfigBlockNotObject, path, block.NamePosition,
                    $"config block \"{block.Name}\" is {block.Value.KindName}, not an object of fields", $"write \"{block.Name}\": {{\"field\": value}}");
            }
        }
    }

    private static void CheckConflicts(ModuleDefinition module, DiagnosticSink sink)
    {
        foreach (var c in module.Conflicts)
        {
            if (c.First.Block is null)
            {
                sink.Error(DiagnosticCodes.FieldInHeaderAndBlock, c.Second.SourcePath, c.Second.Position,
                    $"field \"{c.Name}\" is set both at the top level ({c.First.SourcePath}, line {c.First.Position.Line}) and in config block \"{c.Second.Block}\"",
                    "keep exactly one of them; after flattening the two would be ambiguous");
            }
            else
            {
                sink.Error(DiagnosticCodes.FieldInTwoBlocks, c.Second.SourcePath, c.Second.Position,
                    $"field \"{c.Name}\" is set in config blocks \"{c.First.Block}\" and \"{c.Second.Block}\"",
                    $"keep it in one block only (it belongs in \"{ModuleCanonicalizer.OwnerBlock(c.Name, module.Strings("dependsOn")) ?? "the top level"}\")");
            }
        }
    }

    private static void CheckRequired(ModuleDefinition module, DiagnosticSink sink)
    {
        foreach (var def in ModuleFields.All)
        {
            if (!def.IsRequiredFor(module.DependsOn) || (module.Field(def.Name) is { } f && f.Value is not JNull))
            {
                continue;
            }

            var by = def.RequiredBy.Where(module.DependsOn.Contains).Select(r => r.ToString());
            sink.Error(DiagnosticCodes.MissingRequired, "$", module.Root.Position,
                $"required field \"{def.Name}\" is missing (required by {string.Join(", ", by)})",
                $"add \"{def.Name}\"{(def.Example is null ? "" : $", e.g. \"{def.Name}\": \"{def.Example}\"")} — {def.Summary}");
        }
    }

    private static string SuggestField(string name)
    {
        var legacy = name switch
        {
            "hostname" => "vmname",
            "vlantag" => "zone0",
            _ => null,
        };
        if (legacy is not null)
        {
            return $"this is a legacy field; use \"{legacy}\" instead";
        }

        var close = ModuleFields.All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? ModuleFields.All.FirstOrDefault(f => Distance(f.Name.ToLowerInvariant(), name.ToLowerInvariant()) <= 2 && name.Length > 3);
        return close is not null
            ? $"did you mean \"{close.Name}\"?"
            : "remove it, or prefix the key with '-' to mark it as a comment";
    }

    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2)
        {
            return 3;
        }

        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
        }

        return d[a.Length, b.Length];
    }
}
