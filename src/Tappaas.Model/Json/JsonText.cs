using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tappaas.Model.Json;

/// <summary>Writes <see cref="JNode"/> trees as indented JSON (two spaces, as jq prints), numbers exactly as read.</summary>
public static class JsonText
{
    private static readonly JsonWriterOptions s_options = new()
    {
        Indented = true,
        IndentSize = 2,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    /// <summary>The node as indented JSON text with a trailing newline.</summary>
    public static string Write(JNode node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, s_options))
        {
            WriteNode(writer, node);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteNode(Utf8JsonWriter writer, JNode node)
    {
        switch (node)
        {
            case JObject o:
                writer.WriteStartObject();
                foreach (var p in o.Properties)
                {
                    writer.WritePropertyName(p.Name);
                    WriteNode(writer, p.Value);
                }

                writer.WriteEndObject();
                break;
            case JArray a:
                writer.WriteStartArray();
                foreach (var item in a.Items)
                {
                    WriteNode(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JString s:
                writer.WriteStringValue(s.Value);
                break;
            case JNumber n:
                writer.WriteRawValue(n.Raw, skipInputValidation: true);
                break;
            case JBool b:
                writer.WriteBooleanValue(b.Value);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
