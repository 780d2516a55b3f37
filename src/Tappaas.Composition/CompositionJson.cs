using System.Text.Json.Serialization;

namespace Tappaas.Composition;

/// <summary>The files the composition reads (where the site's proxy listens), generated at build time.</summary>
[JsonSerializable(typeof(DataPlane.Listening))]
internal sealed partial class CompositionJson : JsonSerializerContext;
