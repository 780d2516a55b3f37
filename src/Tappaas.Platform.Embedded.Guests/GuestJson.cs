using System.Text.Json.Serialization;

namespace Tappaas.Platform.Embedded.Guests;

/// <summary>
/// The guest folder's files as JSON, generated at compile time: the supervisor is compiled ahead of time (no JIT, no
/// reflection) and reads and writes them with this, as the platform on the other side does.
/// </summary>
[JsonSerializable(typeof(GuestSpecFile))]
[JsonSerializable(typeof(GuestState))]
internal sealed partial class GuestJson : JsonSerializerContext;
