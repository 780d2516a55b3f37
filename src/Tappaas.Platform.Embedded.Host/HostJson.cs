using System.Text.Json.Serialization;

namespace Tappaas.Platform.Embedded.Host;

/// <summary>The host's small JSON maps (guest addresses, host id ranges), generated at build time.</summary>
[JsonSerializable(typeof(SortedDictionary<string, string>))]
[JsonSerializable(typeof(SortedDictionary<string, long>))]
internal sealed partial class HostJson : JsonSerializerContext;
