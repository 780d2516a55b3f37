using Tappaas.Model.Json;

namespace Tappaas.Model.Modules;

/// <summary>One field of a module after its config blocks were merged into the top level.</summary>
/// <param name="Name">The field name.</param>
/// <param name="Value">The value (for objects present in several places, the merged value).</param>
/// <param name="SourcePath">Where the value was written, e.g. <c>$.config["cluster:vm"].cores</c>.</param>
/// <param name="Position">Line and column of the key in the source.</param>
/// <param name="Block">The config block it came from, or null for the header.</param>
public sealed record FlatField(string Name, JNode Value, string SourcePath, TextPosition Position, string? Block);
