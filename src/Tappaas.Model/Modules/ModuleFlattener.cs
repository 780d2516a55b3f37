using Tappaas.Model.Json;

namespace Tappaas.Model.Modules;

/// <summary>
/// Merges a module's <c>config</c> blocks into one flat field list, the form every reader works on.
/// Follows upstream's recursive merge: objects merge member by member, anything else is replaced; keys keep
/// their first position, new keys are appended in block order.
/// </summary>
public static class ModuleFlattener
{
    /// <summary>The result of flattening.</summary>
    /// <param name="Fields">Flat fields in order.</param>
    /// <param name="Conflicts">Fields found in more than one place.</param>
    /// <param name="Shape">Whether the source had a config block.</param>
    public sealed record Result(IReadOnlyList<FlatField> Fields, IReadOnlyList<FieldConflict> Conflicts, ModuleShape Shape);

    /// <summary>Flattens a module's root object.</summary>
    public static Result Flatten(JObject root)
    {
        var fields = new List<FlatField>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var conflicts = new List<FieldConflict>();
        JObject? config = null;

        foreach (var p in root.Properties)
        {
            if (p.Name == "config" && p.Value is JObject c)
            {
                config = c;
                continue;
            }

            index[p.Name] = fields.Count;
            fields.Add(new FlatField(p.Name, p.Value, JsonPathText.Member("$", p.Name), p.NamePosition, null));
        }

        if (config is not null)
        {
            var configPath = JsonPathText.Member("$", "config");
            foreach (var block in config.Properties)
            {
                if (block.Value is not JObject members)
                {
                    continue; // reported by the validator
                }

                var blockPath = JsonPathText.Member(configPath, block.Name);
                foreach (var m in members.Properties)
                {
                    var incoming = new FlatField(m.Name, m.Value, JsonPathText.Member(blockPath, m.Name), m.NamePosition, block.Name);
                    if (index.TryGetValue(m.Name, out var at))
                    {
                        var existing = fields[at];
                        conflicts.Add(new FieldConflict(m.Name, existing, incoming));
                        fields[at] = existing with { Value = Merge(existing.Value, m.Value) };
                    }
                    else
                    {
                        index[m.Name] = fields.Count;
                        fields.Add(incoming);
                    }
                }
            }
        }

        return new Result(fields, conflicts, config is null ? ModuleShape.Flat : ModuleShape.Grouped);
    }

    /// <summary>The flat form as a JSON object (upstream's "working form").</summary>
    public static JObject ToObject(IEnumerable<FlatField> fields) =>
        new(fields.Select(f => new JProperty(f.Name, f.Value, f.Position)));

    private static JNode Merge(JNode left, JNode right)
    {
        if (left is not JObject l || right is not JObject r)
        {
            return right;
        }

        var props = l.Properties.ToList();
        foreach (var p in r.Properties)
        {
            var at = props.FindIndex(x => x.Name == p.Name);
            if (at >= 0)
            {
                props[at] = props[at] with { Value = Merge(props[at].Value, p.Value) };
            }
            else
            {
                props.Add(p);
            }
        }

        return new JObject(props, l.Position);
    }
}
