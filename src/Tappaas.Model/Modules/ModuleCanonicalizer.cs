using Tappaas.Model.Fields;
using Tappaas.Model.Json;

namespace Tappaas.Model.Modules;

/// <summary>
/// Renders a module in the canonical grouped form: header-pinned and general fields at the top, each service
/// field in the block of the first dependsOn entry that uses it, canonical field order, unknown fields kept
/// at the top in input order, <c>config</c> last.
/// </summary>
public static class ModuleCanonicalizer
{
    /// <summary>The canonical form of a module's flat fields.</summary>
    public static JObject Canonicalize(IReadOnlyList<FlatField> fields)
    {
        var dependsOn = DependsOnOf(fields);
        var top = new List<(FlatField Field, int Seq)>();
        var blocks = new Dictionary<string, List<(FlatField Field, int Seq)>>(StringComparer.Ordinal);

        for (var seq = 0; seq < fields.Count; seq++)
        {
            var f = fields[seq];
            var owner = OwnerBlock(f.Name, dependsOn);
            if (owner is null)
            {
                top.Add((f, seq));
            }
            else
            {
                if (!blocks.TryGetValue(owner, out var list))
                {
                    blocks[owner] = list = [];
                }

                list.Add((f, seq));
            }
        }

        var props = Ordered(top).ToList();
        var config = dependsOn
            .Where(blocks.ContainsKey)
            .Select(dep => new JProperty(dep, new JObject(Ordered(blocks[dep]))))
            .ToList();
        if (config.Count > 0)
        {
            props.Add(new JProperty("config", new JObject(config)));
        }

        return new JObject(props);
    }

    /// <summary>
    /// The config block a field belongs in for a module with these dependencies, or null for the header.
    /// </summary>
    public static string? OwnerBlock(string name, IReadOnlyList<string> dependsOn)
    {
        var def = ModuleFields.Find(name);
        if (def is null || def.HeaderPinned || def.IsGeneral)
        {
            return null;
        }

        return dependsOn.FirstOrDefault(dep => def.UsedBy.Any(u => u.ToString() == dep));
    }

    private static IReadOnlyList<string> DependsOnOf(IReadOnlyList<FlatField> fields)
    {
        var node = fields.FirstOrDefault(f => f.Name == "dependsOn")?.Value as JArray;
        return node?.Items.OfType<JString>().Select(s => s.Value).Distinct(StringComparer.Ordinal).ToList() ?? [];
    }

    private static IEnumerable<JProperty> Ordered(IEnumerable<(FlatField Field, int Seq)> fields) =>
        fields
            .OrderBy(t => ModuleFields.OrderOf(t.Field.Name) ?? int.MaxValue)
            .ThenBy(t => t.Seq)
            .Select(t => new JProperty(t.Field.Name, t.Field.Value));
}
