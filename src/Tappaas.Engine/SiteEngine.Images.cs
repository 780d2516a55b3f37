using Tappaas.Abstractions.Providers;
using Tappaas.Engine.Apply;
using Tappaas.Model.Json;

namespace Tappaas.Engine;

public sealed partial class SiteEngine
{
    /// <summary>Resolves OCI image tags to digests at install, update and plan; null where no platform runs images.</summary>
    public IImagePinner? ImagePinner { get; init; }

    /// <summary>
    /// The definition with <c>imageDigest</c> set to the digest its OCI image names now (other modules unchanged), so
    /// the revision records the exact image; or the refusal naming the module and the image when it cannot be resolved.
    /// A rollback re-applies an old revision as it was recorded, its digest with it.
    /// </summary>
    private async Task<(string? Text, ApplyOutcome? Refusal)> PinImageAsync(string name, string text, CancellationToken cancellationToken)
    {
        if (ImagePinner is null)
        {
            return (text, null);
        }

        var module = Parse(name, text);
        if (module.Text("imageType") != "oci")
        {
            return (text, null);
        }

        var pin = await ImagePinner.PinAsync(module, cancellationToken);
        if (pin.Problem is { } problem)
        {
            return (null, ApplyOutcome.Refuse(EngineCodes.ImageUnresolved, $"module \"{name}\": {problem}",
                "check the image reference and that its registry answers; nothing was changed"));
        }

        return pin.Digest is { } digest && module.Text("imageDigest") != digest ? (ModuleText.WithFlatField(text, "imageDigest", new JString(digest)), null) : (text, null);
    }
}
