using Tappaas.Model.Modules;

namespace Tappaas.Abstractions.Providers;

/// <summary>
/// Resolves the moving part of a module's image — an OCI tag — to the exact image it names now, so the digest is part
/// of the revision the engine records: <c>history</c> shows it, a moved tag is a change <c>plan</c> names, and a rollback
/// returns to the exact old image.
/// </summary>
public interface IImagePinner
{
    /// <summary>The manifest digest the module's image names now; null (and no problem) when the module runs no OCI image.</summary>
    Task<ImagePin> PinAsync(ModuleDefinition module, CancellationToken cancellationToken);
}

/// <summary>A pinned digest, or why the image could not be resolved (said for an operator).</summary>
public sealed record ImagePin(string? Digest, string? Problem);
