using System.Text.Json.Nodes;

namespace Tappaas.Platform.Embedded.Images;

/// <summary>What an image's config says its container runs (the OCI image spec's <c>config</c>), and for which platform.</summary>
public sealed record ImageConfig
{
    public IReadOnlyList<string> Entrypoint { get; init; } = [];

    public IReadOnlyList<string> Cmd { get; init; } = [];

    public IReadOnlyList<string> Env { get; init; } = [];

    public string? WorkingDir { get; init; }

    public string? User { get; init; }

    /// <summary>Ports as the image lists them (<c>8080/tcp</c>).</summary>
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];

    /// <summary>The paths the image declares as volumes.</summary>
    public IReadOnlyList<string> Volumes { get; init; } = [];

    public string Architecture { get; init; } = "";

    public string Os { get; init; } = "";

    /// <summary>Reads the image config blob's JSON.</summary>
    public static ImageConfig Parse(JsonObject blob)
    {
        var c = blob["config"] as JsonObject;
        static IReadOnlyList<string> Strings(JsonNode? n) => n is JsonArray a ? [.. a.Select(x => (string?)x).OfType<string>()] : [];
        static IReadOnlyList<string> Keys(JsonNode? n) => n is JsonObject o ? [.. o.Select(p => p.Key)] : [];
        return new ImageConfig
        {
            Entrypoint = Strings(c?["Entrypoint"]), Cmd = Strings(c?["Cmd"]), Env = Strings(c?["Env"]),
            WorkingDir = (string?)c?["WorkingDir"] is { Length: > 0 } wd ? wd : null, User = (string?)c?["User"] is { Length: > 0 } u ? u : null,
            ExposedPorts = Keys(c?["ExposedPorts"]), Volumes = Keys(c?["Volumes"]),
            Architecture = (string?)blob["architecture"] ?? "", Os = (string?)blob["os"] ?? "",
        };
    }
}
