using System.Text.Json;
using System.Text.RegularExpressions;
using Tappaas.TestUtilities;

namespace Tappaas.Platform.Proxmox.Tests.Simulator;

/// <summary>
/// The Proxmox VE API schema (<c>pve-apidata.json</c> of <see cref="VendorApi"/>) and the server's own request checks:
/// path, method, every parameter known (indexed <c>net0</c> → <c>net[n]</c>), required ones present, types, enums,
/// patterns, ranges, property strings (<c>k=v,…</c> with a default key), and section-config instance types.
/// </summary>
public sealed class PveSchema
{
    private readonly List<(string Template, string[] Segments, JsonElement Info)> _paths = [];

    private PveSchema(JsonElement root) => Walk(root);

    /// <summary>The schema, loaded once.</summary>
    public static PveSchema Instance { get; } = Load();

    private static PveSchema Load()
    {
        var file = VendorApi.PathOf("pve-apidata.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        return new PveSchema(doc.RootElement.Clone());
    }

    /// <summary>Number of paths in the schema.</summary>
    public int PathCount => _paths.Count;

    /// <summary>The schema template a concrete path matches, with its path variables; null when none does.</summary>
    public (string Template, Dictionary<string, string> Vars, JsonElement Info)? Match(string path)
    {
        var segments = path.Trim('/').Split('/');
        foreach (var (template, parts, info) in _paths)
        {
            if (parts.Length != segments.Length)
            {
                continue;
            }

            var vars = new Dictionary<string, string>(StringComparer.Ordinal);
            var ok = true;
            for (var i = 0; i < parts.Length && ok; i++)
            {
                if (parts[i].StartsWith('{'))
                {
                    vars[parts[i].Trim('{', '}')] = Uri.UnescapeDataString(segments[i]);
                }
                else
                {
                    ok = parts[i] == segments[i];
                }
            }

            if (ok)
            {
                return (template, vars, info);
            }
        }

        return null;
    }

    /// <summary>Every problem the server would reject the request for; empty when it is valid.</summary>
    public List<string> Validate(string method, string path, IReadOnlyDictionary<string, string> parameters)
    {
        var errors = new List<string>();
        if (Match(path) is not { } match)
        {
            errors.Add($"no such path {path}");
            return errors;
        }

        if (!match.Info.TryGetProperty(method, out var m))
        {
            errors.Add($"{method} is not allowed on {match.Template}");
            return errors;
        }

        var all = new Dictionary<string, string>(parameters, StringComparer.Ordinal);
        foreach (var (k, v) in match.Vars)
        {
            all[k] = v;
        }

        var properties = m.TryGetProperty("parameters", out var p) && p.TryGetProperty("properties", out var props) ? props : default;
        foreach (var (name, value) in all)
        {
            if (!TryProperty(properties, name, out var schema))
            {
                errors.Add($"{name}: property is not defined in schema and the schema does not allow additional properties");
                continue;
            }

            if (schema.TryGetProperty("instance-types", out var types) && all.TryGetValue("type", out var type) && !types.EnumerateArray().Any(t => t.GetString() == type))
            {
                errors.Add($"{name}: not allowed for type '{type}'");
            }

            CheckValue(name, value, schema, errors);
        }

        if (properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var prop in properties.EnumerateObject())
            {
                if (!IsOptional(prop.Value) && !prop.Name.Contains('[', StringComparison.Ordinal) && !all.ContainsKey(prop.Name))
                {
                    errors.Add($"{prop.Name}: property is missing and it is not optional");
                }
            }
        }

        return errors;
    }

    private static bool TryProperty(JsonElement properties, string name, out JsonElement schema)
    {
        schema = default;
        if (properties.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (properties.TryGetProperty(name, out schema))
        {
            return true;
        }

        var indexed = Regex.Match(name, @"^([a-z_\-]+?)(\d+)$");
        return indexed.Success && properties.TryGetProperty($"{indexed.Groups[1].Value}[n]", out schema);
    }

    private static bool IsOptional(JsonElement schema) =>
        schema.TryGetProperty("optional", out var o) && (o.ValueKind == JsonValueKind.True || o.ValueKind == JsonValueKind.Number && o.GetInt32() == 1);

    private static void CheckValue(string name, string value, JsonElement schema, List<string> errors)
    {
        var type = schema.TryGetProperty("type", out var t) ? t.GetString() : "string";
        switch (type)
        {
            case "integer":
                if (!long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var i))
                {
                    errors.Add($"{name}: type check ('integer') failed - got '{value}'");
                    return;
                }

                if (Number(schema, "minimum") is { } min && i < min || Number(schema, "maximum") is { } max && i > max)
                {
                    errors.Add($"{name}: value '{value}' is out of range");
                }

                return;
            case "number":
                if (!double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
                {
                    errors.Add($"{name}: type check ('number') failed - got '{value}'");
                }

                return;
            case "boolean":
                if (value is not ("0" or "1"))
                {
                    errors.Add($"{name}: type check ('boolean') failed - got '{value}' (send 0 or 1)");
                }

                return;
        }

        if (schema.TryGetProperty("enum", out var e) && !e.EnumerateArray().Any(x => x.GetString() == value))
        {
            errors.Add($"{name}: value '{value}' does not have a value in the enumeration '{string.Join(", ", e.EnumerateArray().Select(x => x.GetString()))}'");
        }

        if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(value, "^(?:" + PerlToDotNet(pattern.GetString()!) + ")$"))
        {
            errors.Add($"{name}: value does not match the regex pattern");
        }

        if (Number(schema, "maxLength") is { } maxLength && value.Length > maxLength)
        {
            errors.Add($"{name}: value may only be {maxLength} characters long");
        }

        if (schema.TryGetProperty("format", out var format))
        {
            if (format.ValueKind == JsonValueKind.Object)
            {
                CheckPropertyString(name, value, format, errors);
            }
            else if (format.GetString() is { } named)
            {
                CheckNamedFormat(name, value, named, errors);
            }
        }
    }

    private static void CheckPropertyString(string name, string value, JsonElement format, List<string> errors)
    {
        var defaultKey = format.EnumerateObject()
            .Where(p => p.Value.TryGetProperty("default_key", out var d) && d.ValueKind != JsonValueKind.False && !(d.ValueKind == JsonValueKind.Number && d.GetInt32() == 0))
            .Select(p => p.Name).FirstOrDefault();
        var first = true;
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? null : part[..eq];
            if (key is null)
            {
                if (!(first && (defaultKey is not null || format.TryGetProperty(part, out _))))
                {
                    errors.Add($"{name}: value without key '{part}' (no default key)");
                }
            }
            else if (!format.TryGetProperty(key, out var sub))
            {
                errors.Add($"{name}: invalid format - unknown key '{key}'");
            }
            else if (!sub.TryGetProperty("alias", out _) && sub.TryGetProperty("type", out _))
            {
                CheckValue($"{name}.{key}", part[(eq + 1)..], sub, errors);
            }

            first = false;
        }
    }

    private static void CheckNamedFormat(string name, string value, string format, List<string> errors)
    {
        var ok = format switch
        {
            "pve-node" => Regex.IsMatch(value, "^[a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?$"),
            "pve-vmid" => int.TryParse(value, out var id) && id >= 100,
            "dns-name" => Regex.IsMatch(value, "^([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?\\.)*[a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?$"),
            "pve-configid" => Regex.IsMatch(value, "^[a-z][a-z0-9_\\-]+$", RegexOptions.IgnoreCase),
            "pve-storage-id" => Regex.IsMatch(value, "^[a-z][a-z0-9\\-_.]*[a-z0-9]$", RegexOptions.IgnoreCase),
            _ => true,
        };
        if (!ok)
        {
            errors.Add($"{name}: value '{value}' does not match format {format}");
        }
    }

    // Perl's "(?^:…)" (default flags) and "(?^i:…)" have .NET spellings "(?:…)" and "(?i:…)".
    private static string PerlToDotNet(string pattern) => pattern.Replace("(?^:", "(?:", StringComparison.Ordinal).Replace("(?^i:", "(?i:", StringComparison.Ordinal);

    private static long? Number(JsonElement schema, string key) =>
        schema.TryGetProperty(key, out var v) ? v.ValueKind == JsonValueKind.Number ? v.GetInt64() : long.TryParse(v.GetString(), out var n) ? n : null : null;

    private void Walk(JsonElement nodes)
    {
        foreach (var n in nodes.EnumerateArray())
        {
            var path = n.GetProperty("path").GetString()!;
            if (n.TryGetProperty("info", out var info))
            {
                _paths.Add((path, path.Trim('/').Split('/'), info));
            }

            if (n.TryGetProperty("children", out var children))
            {
                Walk(children);
            }
        }

        // Literal segments must win over placeholders (e.g. /nodes/{node}/qemu/{vmid}/status/current vs …/{snapname}).
        _paths.Sort((a, b) => Specificity(b.Segments).CompareTo(Specificity(a.Segments)));
    }

    private static int Specificity(string[] segments) => segments.Count(s => !s.StartsWith('{'));
}
