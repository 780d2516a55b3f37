using System.Text.Json;
using Tappaas.Model.Diagnostics;

namespace Tappaas.Model.Json;

/// <summary>Builds a <see cref="JNode"/> tree from a reader without recursion, recording positions.</summary>
internal static class Builder
{
    private sealed class Frame(bool isObject, TextPosition position, string path)
    {
        public bool IsObject { get; } = isObject;
        public TextPosition Position { get; } = position;
        public string Path { get; } = path;
        public List<JProperty> Properties { get; } = [];
        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
        public List<JNode> Items { get; } = [];
        public string? PendingName { get; set; }
        public TextPosition PendingNamePosition { get; set; }
    }

    public static JNode Build(ref Utf8JsonReader reader, ReadOnlySpan<byte> bytes, LineMap lines, string file, List<Diagnostic> warnings)
    {
        var stack = new Stack<Frame>();
        JNode? root = null;

        while (reader.Read())
        {
            var position = lines.PositionOf(reader.TokenStartIndex, bytes);
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    stack.Push(new Frame(reader.TokenType == JsonTokenType.StartObject, position, ChildPath(stack)));
                    continue;
                case JsonTokenType.PropertyName:
                    {
                        var frame = stack.Peek();
                        var name = reader.GetString()!;
                        if (!frame.Names.Add(name))
                        {
                            warnings.Add(Diagnostic.Warning(DiagnosticCodes.DuplicateKey,
                                new SourceLocation(file, JsonPathText.Member(frame.Path, name), position.Line, position.Column),
                                $"the key \"{name}\" appears more than once in this object; the last value wins",
                                "remove the earlier occurrence"));
                        }

                        frame.PendingName = name;
                        frame.PendingNamePosition = position;
                        continue;
                    }

                case JsonTokenType.EndObject:
                    {
                        var frame = stack.Pop();
                        Attach(stack, new JObject(frame.Properties, frame.Position), ref root);
                        continue;
                    }

                case JsonTokenType.EndArray:
                    {
                        var frame = stack.Pop();
                        Attach(stack, new JArray(frame.Items, frame.Position), ref root);
                        continue;
                    }

                case JsonTokenType.String:
                    Attach(stack, new JString(reader.GetString()!, position), ref root);
                    continue;
                case JsonTokenType.Number:
                    Attach(stack, new JNumber(System.Text.Encoding.UTF8.GetString(reader.ValueSpan), position), ref root);
                    continue;
                case JsonTokenType.True:
                case JsonTokenType.False:
                    Attach(stack, new JBool(reader.TokenType == JsonTokenType.True, position), ref root);
                    continue;
                case JsonTokenType.Null:
                    Attach(stack, new JNull(position), ref root);
                    continue;
                default:
                    continue;
            }
        }

        return root ?? throw new JsonException("the input does not contain a JSON value");
    }

    private static string ChildPath(Stack<Frame> stack)
    {
        if (stack.Count == 0)
        {
            return "$";
        }

        var parent = stack.Peek();
        return parent.IsObject
            ? JsonPathText.Member(parent.Path, parent.PendingName ?? "")
            : JsonPathText.Index(parent.Path, parent.Items.Count);
    }

    private static void Attach(Stack<Frame> stack, JNode node, ref JNode? root)
    {
        if (stack.Count == 0)
        {
            root = node;
            return;
        }

        var parent = stack.Peek();
        if (parent.IsObject)
        {
            parent.Properties.Add(new JProperty(parent.PendingName!, node, parent.PendingNamePosition));
            parent.PendingName = null;
        }
        else
        {
            parent.Items.Add(node);
        }
    }
}
