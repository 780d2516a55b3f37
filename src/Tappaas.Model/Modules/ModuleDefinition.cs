using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;

namespace Tappaas.Model.Modules;

/// <summary>
/// A module as authored: the parsed file, its flat fields and typed accessors for the fields the platform
/// reads. Values are read leniently, as upstream reads them ("4096" is 4096, "false" is false).
/// </summary>
public sealed class ModuleDefinition
{
    private readonly Dictionary<string, FlatField> _byName;

    /// <summary>Creates a definition from a parsed module file.</summary>
    public ModuleDefinition(string name, string file, JObject root)
    {
        Name = name;
        File = file;
        Root = root;
        var flat = ModuleFlattener.Flatten(root);
        Fields = flat.Fields;
        Conflicts = flat.Conflicts;
        Shape = flat.Shape;
        _byName = Fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        DependsOn = [.. Strings("dependsOn").Select(s => ServiceRef.TryParse(s, out var r) ? r : null).OfType<ServiceRef>().Distinct()];
        Provides = [.. Strings("provides").Distinct(StringComparer.Ordinal)];
    }

    /// <summary>A module from JSON text the platform wrote (a recorded revision, canonical), named <c>&lt;name&gt;.json</c>; an unreadable text gives an empty module.</summary>
    public static ModuleDefinition FromJson(string name, string json) =>
        new(name, name + ".json", JsonSource.Parse(name + ".json", System.Text.Encoding.UTF8.GetBytes(json)).Root as JObject ?? JObject.Empty);

    /// <summary>The module's name: the file name without <c>.json</c> (upstream's "effective module").</summary>
    public string Name { get; }

    /// <summary>The file as the user named it.</summary>
    public string File { get; }

    /// <summary>The file's root object as written.</summary>
    public JObject Root { get; }

    /// <summary>Fields with config blocks merged in.</summary>
    public IReadOnlyList<FlatField> Fields { get; }

    /// <summary>Fields written in two places.</summary>
    public IReadOnlyList<FieldConflict> Conflicts { get; }

    /// <summary>Flat or grouped.</summary>
    public ModuleShape Shape { get; }

    /// <summary>Valid dependsOn entries, in file order, without duplicates.</summary>
    public IReadOnlyList<ServiceRef> DependsOn { get; }

    /// <summary>Services this module offers.</summary>
    public IReadOnlyList<string> Provides { get; }

    /// <summary>Guest name; defaults to <see cref="Name"/>.</summary>
    public string VmName => Text("vmname") is { Length: > 0 } v ? v : Name;

    /// <summary>Guest id, when set and numeric.</summary>
    public long? VmId => Integer("vmid");

    /// <summary>The node named in the file, if any.</summary>
    public string? Node => Text("node");

    /// <summary>Zone of the first interface; upstream's default is <c>mgmt</c>.</summary>
    public string Zone0 => Text("zone0") ?? "mgmt";

    /// <summary>Zone of the second interface, when written.</summary>
    public string? Zone1 => Text("zone1");

    /// <summary>The field, or null.</summary>
    public FlatField? Field(string name) => _byName.GetValueOrDefault(name);

    /// <summary>True when the field is present (in the header or a block).</summary>
    public bool Has(string name) => _byName.ContainsKey(name);

    /// <summary>The field as text (strings, numbers and booleans), or null.</summary>
    public string? Text(string name) => Field(name)?.Value.ScalarText;

    /// <summary>The field as a whole number, accepting numeric strings; null when absent or not a whole number.</summary>
    public long? Integer(string name) => Lenient.Integer(Field(name)?.Value);

    /// <summary>The field as a boolean, accepting "true"/"false"; null when absent or neither.</summary>
    public bool? Boolean(string name) => Text(name) switch
    {
        "true" => true,
        "false" => false,
        _ => null,
    };

    /// <summary>The string items of an array field.</summary>
    public IReadOnlyList<string> Strings(string name) =>
        Field(name)?.Value is JArray a ? [.. a.Items.OfType<JString>().Select(s => s.Value)] : [];

    /// <summary>
    /// Where the module asks for <paramref name="service"/>: its <c>config</c> block for the service when it has one (the
    /// settings a provider acts on), else its item in <c>dependsOn</c>, else the file.
    /// </summary>
    public SourceLocation LocationOf(ServiceRef service)
    {
        if (Root["config"] is JObject config && config[service.ToString()] is { } block)
        {
            return new SourceLocation(File, JsonPathText.Member("$.config", service.ToString()), block.Position.Line, block.Position.Column);
        }

        var depends = Field("dependsOn");
        if (depends?.Value is JArray items)
        {
            for (var i = 0; i < items.Items.Count; i++)
            {
                if (items.Items[i] is JString s && s.Value == service.ToString())
                {
                    return new SourceLocation(File, JsonPathText.Index(depends.SourcePath, i), items.Items[i].Position.Line, items.Items[i].Position.Column);
                }
            }
        }

        return new SourceLocation(File, "$", 0, 0);
    }

    /// <summary>True when the module depends on the service.</summary>
    public bool DependsOnService(string reference) => DependsOn.Any(d => d.ToString() == reference);

    /// <summary>The module in canonical grouped form.</summary>
    public JObject ToCanonical() => ModuleCanonicalizer.Canonicalize(Fields);

    /// <summary>The module in flat form.</summary>
    public JObject ToFlat() => ModuleFlattener.ToObject(Fields);
}
