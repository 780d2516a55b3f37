using System.Text.Json.Nodes;

namespace Tappaas.Platform.Embedded.Guests.Oci;

/// <summary>
/// What the <c>oci</c> driver needs beyond the common spec: the runtime spec the platform generated (everything but the
/// environment, which the supervisor adds at each start with the secrets resolved then), the runtime's state folder and
/// the container's name in it, and the image it runs (for status).
/// </summary>
public sealed record OciGuest
{
    /// <summary>The OCI runtime spec (<c>config.json</c>) without <c>process.env</c>'s module part.</summary>
    public required JsonObject RuntimeSpec { get; init; }

    /// <summary>The image's own environment (NAME=value), before the module's.</summary>
    public IReadOnlyList<string> ImageEnv { get; init; } = [];

    /// <summary>The container's bundle folder (its <c>config.json</c> is written there at each start).</summary>
    public required string Bundle { get; init; }

    /// <summary><c>runc --root</c>: the site's runtime state folder (containers of two sites never share it).</summary>
    public required string RuntimeRoot { get; init; }

    /// <summary>The container's id in <see cref="RuntimeRoot"/>: the guest's name.</summary>
    public required string ContainerId { get; init; }

    /// <summary>The image, as registry/repository@digest.</summary>
    public required string Image { get; init; }

    /// <summary>The host uid (and gid) that is root in the guest; the guest's ids 0–65535 are this and the next 65535.</summary>
    public long HostUid { get; init; }

    /// <summary>The OCI runtime (Debian's runc).</summary>
    public string Runtime { get; init; } = "runc";
}
