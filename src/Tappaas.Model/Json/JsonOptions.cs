using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tappaas.Model.Json;

/// <summary>Shared serializer options for machine-readable output.</summary>
public static class JsonOptions
{
    /// <summary>Indented, camelCase, non-ASCII kept readable.</summary>
    public static JsonSerializerOptions Indented { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
