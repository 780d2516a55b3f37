using System.Text;
using Tappaas.Model.Json;

namespace Tappaas.Engine.Apply;

/// <summary>Small edits of canonical module text.</summary>
internal static class ModuleText
{
    /// <summary>The module with its <c>status</c> field set.</summary>
    public static string WithStatus(string json, string status) => WithField(json, "status", new JString(status));

    /// <summary>The module with a top-level field set (replaced in place, or appended).</summary>
    public static string WithField(string json, string name, JNode value)
    {
        var root = (JObject)JsonSource.Parse("m.json", Encoding.UTF8.GetBytes(json)).Root!;
        var props = root.Properties.ToList();
        var at = props.FindIndex(p => p.Name == name);
        if (at >= 0)
        {
            props[at] = props[at] with { Value = value };
        }
        else
        {
            props.Insert(0, new JProperty(name, value));
        }

        var module = new Model.Modules.ModuleDefinition("m", "m.json", new JObject(props));
        return JsonText.Write(module.ToCanonical());
    }

    /// <summary>The module with one field set wherever it is written (added where the canonical form puts it when it is absent), in canonical form.</summary>
    public static string WithFlatField(string json, string name, JNode value)
    {
        var root = (JObject)JsonSource.Parse("m.json", Encoding.UTF8.GetBytes(json)).Root!;
        var module = new Model.Modules.ModuleDefinition("m", "m.json", root);
        var fields = module.Fields.ToList();
        var at = fields.FindIndex(f => f.Name == name);
        if (at >= 0)
        {
            fields[at] = fields[at] with { Value = value };
        }
        else
        {
            fields.Add(new Model.Modules.FlatField(name, value, "$." + name, default, null));
        }

        return JsonText.Write(Model.Modules.ModuleCanonicalizer.Canonicalize(fields));
    }
}
