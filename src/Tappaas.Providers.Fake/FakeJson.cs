using System.Text.Json.Serialization;

namespace Tappaas.Providers.Fake;

/// <summary>The fake backend's files, generated at build time (rules are read with any casing of their names).</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(FakeRule[]))]
internal sealed partial class FakeJson : JsonSerializerContext;
