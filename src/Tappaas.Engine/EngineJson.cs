using System.Text.Json.Serialization;
using Tappaas.Engine.Apply;

namespace Tappaas.Engine;

/// <summary>What the engine keeps as JSON in the store (a run's payload, also inside a saved plan), generated at build time.</summary>
[JsonSerializable(typeof(ApplyPayload))]
public sealed partial class EngineJson : JsonSerializerContext;
