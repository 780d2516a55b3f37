namespace Tappaas.Model.Json;

/// <summary>A JSON array.</summary>
public sealed class JArray(IReadOnlyList<JNode> items, TextPosition position = default) : JNode(position)
{
    /// <summary>The elements in order.</summary>
    public IReadOnlyList<JNode> Items { get; } = items;

    /// <inheritdoc />
    public override JKind Kind => JKind.Array;

    /// <inheritdoc />
    public override bool DeepEquals(JNode? other)
    {
        if (other is not JArray a || a.Items.Count != Items.Count)
        {
            return false;
        }

        for (var i = 0; i < Items.Count; i++)
        {
            if (!Items[i].DeepEquals(a.Items[i]))
            {
                return false;
            }
        }

        return true;
    }
}
