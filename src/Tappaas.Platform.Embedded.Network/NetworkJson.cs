using System.Text.Json.Serialization;

namespace Tappaas.Platform.Embedded.Network;

/// <summary>The network's own files (the host ports it published), generated at build time.</summary>
[JsonSerializable(typeof(List<int>))]
internal sealed partial class NetworkJson : JsonSerializerContext;
