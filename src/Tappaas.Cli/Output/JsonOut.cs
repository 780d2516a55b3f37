using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Tappaas.Client;
using Tappaas.Model.Json;

namespace Tappaas.Cli.Output;

/// <summary>
/// What the commands print as JSON, built without reflection (the CLI is compiled ahead of time): documents as
/// <see cref="JsonNode"/>s, the API's records through its generated metadata with the CLI's printing options.
/// </summary>
internal static class JsonOut
{
    private static readonly ApiJson s_printing = new(new JsonSerializerOptions(JsonOptions.Indented));

    /// <summary>The generated metadata of one of the API's records for printing.</summary>
    public static JsonTypeInfo<T> Info<T>() => s_printing.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
        ?? throw new NotSupportedException($"{typeof(T).Name} is not one of the API's records (ApiJson)");

    /// <summary>An API record as a JSON node, to go inside a document.</summary>
    public static JsonNode? Node<T>(T record) => JsonSerializer.SerializeToNode(record, Info<T>());

    /// <summary>A JSON array of the items, each made by <paramref name="item"/>.</summary>
    public static JsonArray Array<T>(IEnumerable<T> items, Func<T, JsonNode?> item) => new([.. items.Select(item)]);

    /// <summary>A JSON array of strings.</summary>
    public static JsonArray Strings(IEnumerable<string> values) => Array(values, v => v);
}
