using System.Text.RegularExpressions;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;

namespace Tappaas.Model.Catalog;

/// <summary>Reads and validates a module catalog.</summary>
public static partial class CatalogReader
{
    /// <summary>The catalog stacks.</summary>
    public static IReadOnlyList<string> Stacks { get; } =
        ["foundation", "security", "productivity", "ai", "home-automation", "infrastructure", "storage", "entertainment", "development", "application"];

    private static readonly string[] s_statuses = ["stable", "beta", "incomplete", "deprecated"];
    private static readonly string[] s_repos = ["foundation", "application", "community"];
    private static readonly string[] s_fullFields = ["moduleName", "repo", "moduleJson", "vmid", "stack", "category", "status"];
    private static readonly string[] s_simpleFields = ["moduleName", "repo", "moduleJson", "vmid"];

    /// <summary>Reads the catalog; <paramref name="moduleFileExists"/> answers whether a repository-relative path exists.</summary>
    public static ModuleCatalog Read(JObject root, DiagnosticSink sink, Func<string, bool>? moduleFileExists)
    {
        var entries = new List<CatalogEntry>();
        foreach (var section in new[] { "foundationModules", "applicationModules" })
        {
            if (!root.Has(section))
            {
                sink.Error(DiagnosticCodes.CatalogFieldMissing, "$", root.Position, $"the catalog has no \"{section}\" list", $"add \"{section}\": []");
            }
        }

        var vmids = new Dictionary<long, string>();
        foreach (var (section, full) in new[] { ("foundationModules", true), ("applicationModules", true), ("proxmoxTemplates", false), ("testModules", false) })
        {
            if (root[section] is not { } node)
            {
                continue;
            }

            var sectionPath = JsonPathText.Member("$", section);
            if (node is not JArray array)
            {
                sink.Error(DiagnosticCodes.CatalogValueInvalid, sectionPath, node.Position, $"\"{section}\" is {node.KindName}, not a list", $"write \"{section}\": [ … ]");
                continue;
            }

            for (var i = 0; i < array.Items.Count; i++)
            {
                var path = JsonPathText.Index(sectionPath, i);
                if (array.Items[i] is not JObject e)
                {
                    sink.Error(DiagnosticCodes.CatalogValueInvalid, path, array.Items[i].Position, $"{section}[{i}] is not an object", "write {\"moduleName\": …, \"vmid\": …, \"moduleJson\": …}");
                    continue;
                }

                var entry = ReadEntry(section, full, e, path, sink);
                entries.Add(entry);
                if (entry.VmId is { } id and > 0)
                {
                    if (vmids.TryGetValue(id, out var other))
                    {
                        sink.Error(DiagnosticCodes.CatalogDuplicateVmid, JsonPathText.Member(path, "vmid"), e.Property("vmid")!.NamePosition,
                            $"catalog entries \"{other}\" and \"{entry.ModuleName}\" both reserve VMID {id}", "give one of them a free VMID (blocks of 10 per module)");
                    }
                    else
                    {
                        vmids[id] = entry.ModuleName;
                    }
                }

                if (entry.ModuleJson is { } json && moduleFileExists is not null && !moduleFileExists(json))
                {
                    sink.Error(DiagnosticCodes.CatalogDanglingPath, JsonPathText.Member(path, "moduleJson"), e.Property("moduleJson")!.NamePosition,
                        $"catalog entry \"{entry.ModuleName}\" points at \"{json}\", which does not exist",
                        "fix moduleJson (it is relative to the repository root) or remove the entry");
                }
            }
        }

        return new ModuleCatalog(sink.File, entries);
    }

    private static CatalogEntry ReadEntry(string section, bool full, JObject e, string path, DiagnosticSink sink)
    {
        var required = full ? new[] { "moduleName", "vmid", "moduleJson", "stack", "category", "status" } : ["moduleName", "vmid", "moduleJson"];
        var name = Lenient.Text(e["moduleName"]) ?? $"#{path}";
        foreach (var r in required.Where(r => !e.Has(r)))
        {
            sink.Error(DiagnosticCodes.CatalogFieldMissing, path, e.Position, $"catalog entry \"{name}\" has no \"{r}\"", $"add \"{r}\"");
        }

        var allowed = full ? s_fullFields : s_simpleFields;
        foreach (var p in e.Properties.Where(p => !allowed.Contains(p.Name)))
        {
            sink.Error(DiagnosticCodes.CatalogUnknownField, JsonPathText.Member(path, p.Name), p.NamePosition,
                $"catalog entry \"{name}\" has field \"{p.Name}\", which {section} entries do not allow", $"remove it; allowed: {string.Join(", ", allowed)}");
        }

        if (e["moduleName"] is { } mn && (mn is not JString s || !ModuleName().IsMatch(s.Value)))
        {
            sink.Error(DiagnosticCodes.CatalogValueInvalid, JsonPathText.Member(path, "moduleName"), e.Property("moduleName")!.NamePosition,
                $"moduleName {mn.Display} is not a module name (a letter, then letters, digits and dashes)", "write e.g. \"nextcloud\"");
        }

        long? vmid = null;
        if (e["vmid"] is { } v && v is not JNull)
        {
            vmid = v is JNumber ? Lenient.Integer(v) : null;
            if (vmid is null or < 0)
            {
                sink.Error(DiagnosticCodes.CatalogValueInvalid, JsonPathText.Member(path, "vmid"), e.Property("vmid")!.NamePosition,
                    $"catalog entry \"{name}\" has vmid {v.Display}, expected a whole number of at least 0{(full ? " or null" : "")}", "write e.g. 310");
                vmid = null;
            }
        }
        else if (e["vmid"] is JNull && !full)
        {
            sink.Error(DiagnosticCodes.CatalogValueInvalid, JsonPathText.Member(path, "vmid"), e.Property("vmid")!.NamePosition,
                $"catalog entry \"{name}\" has vmid null; {section} entries need a number", "write the entry's VMID");
        }

        CheckEnum(e, "repo", s_repos, name, path, sink);
        var stack = CheckEnum(e, "stack", Stacks, name, path, sink);
        CheckEnum(e, "status", s_statuses, name, path, sink);
        if (e["category"] is { } c && (c is not JString cs || !Category().IsMatch(cs.Value)))
        {
            sink.Error(DiagnosticCodes.CatalogValueInvalid, JsonPathText.Member(path, "category"), e.Property("category")!.NamePosition,
                $"catalog entry \"{name}\" has category {c.Display}; categories are lowercase words with dashes", "write e.g. \"file-sharing\"");
        }

        return new CatalogEntry(section, name, Lenient.Text(e["moduleJson"]), vmid, stack);
    }

    private static string? CheckEnum(JObject e, string field, IReadOnlyList<string> values, string name, string path, DiagnosticSink sink)
    {
        if (e[field] is not { } node)
        {
            return null;
        }

        if (node is JString s && values.Contains(s.Value))
        {
            return s.Value;
        }

        sink.Error(DiagnosticCodes.CatalogValueInvalid, JsonPathText.Member(path, field), e.Property(field)!.NamePosition,
            $"catalog entry \"{name}\" has {field} {node.Display}, which is not one of {string.Join(", ", values)}",
            $"use one of {string.Join(", ", values)}, or add the value to the catalog schema first");
        return node.ScalarText;
    }

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9-]*$")]
    private static partial Regex ModuleName();

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex Category();
}
