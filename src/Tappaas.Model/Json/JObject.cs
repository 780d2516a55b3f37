namespace Tappaas.Model.Json;

/// <summary>One member of a JSON object.</summary>
/// <param name="Name">The member name.</param>
/// <param name="Value">The member value.</param>
/// <param name="NamePosition">Where the name starts in the source.</param>
public sealed record JProperty(string Name, JNode Value, TextPosition NamePosition = default);

/// <summary>A JSON object whose members keep their source order. Names are unique (the parser keeps the last duplicate, as jq does).</summary>
public sealed class JObject : JNode
{
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates an object; later duplicates of a name replace earlier ones in place.</summary>
    public JObject(IEnumerable<JProperty> properties, TextPosition position = default)
        : base(position)
    {
        var list = new List<JProperty>();
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in properties)
        {
            if (_index.TryGetValue(p.Name, out var at))
            {
                list[at] = p;
            }
            else
            {
                _index[p.Name] = list.Count;
                list.Add(p);
            }
        }

        Properties = list;
    }

    /// <summary>An empty object.</summary>
    public static JObject Empty => new([]);

    /// <summary>Members in order.</summary>
    public IReadOnlyList<JProperty> Properties { get; }

    /// <inheritdoc />
    public override JKind Kind => JKind.Object;

    /// <summary>The value of a member, or null when absent.</summary>
    public JNode? this[string name] => _index.TryGetValue(name, out var i) ? Properties[i].Value : null;

    /// <summary>The member with that name, or null.</summary>
    public JProperty? Property(string name) => _index.TryGetValue(name, out var i) ? Properties[i] : null;

    /// <summary>A copy with the member <paramref name="name"/> set to <paramref name="value"/> (replaced in place, or appended).</summary>
    public JObject With(string name, JNode value)
    {
        var props = Properties.ToList();
        var at = props.FindIndex(p => p.Name == name);
        if (at >= 0)
        {
            props[at] = props[at] with { Value = value };
        }
        else
        {
            props.Add(new JProperty(name, value));
        }

        return new JObject(props, Position);
    }

    /// <summary>True when a member with that name exists.</summary>
    public bool Has(string name) => _index.ContainsKey(name);

    /// <inheritdoc />
    public override bool DeepEquals(JNode? other)
    {
        if (other is not JObject o || o.Properties.Count != Properties.Count)
        {
            return false;
        }

        for (var i = 0; i < Properties.Count; i++)
        {
            var mine = Properties[i];
            var theirs = o.Properties[i];
            if (mine.Name != theirs.Name || !mine.Value.DeepEquals(theirs.Value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Equality that ignores member order (used to compare normalised forms).</summary>
    public static bool SemanticEquals(JNode? a, JNode? b)
    {
        switch (a, b)
        {
            case (JObject x, JObject y):
                return x.Properties.Count == y.Properties.Count
                    && x.Properties.All(p => y[p.Name] is { } v && SemanticEquals(p.Value, v));
            case (JArray x, JArray y):
                return x.Items.Count == y.Items.Count && x.Items.Zip(y.Items).All(t => SemanticEquals(t.First, t.Second));
            default:
                return a is not null && a.DeepEquals(b);
        }
    }
}
