using Tappaas.Abstractions.Providers;
using Tappaas.Model.Images;
using Tappaas.Model.Modules;

namespace Tappaas.Platform.Embedded.Images;

/// <summary>Pins an image module's tag to the digest its registry names now (skopeo inspect; a pinned reference as it is).</summary>
public sealed class EmbeddedImagePinner(EmbeddedPlatform platform) : IImagePinner
{
    public async Task<ImagePin> PinAsync(ModuleDefinition module, CancellationToken cancellationToken)
    {
        if (module.Text("imageType") != "oci")
        {
            return new ImagePin(null, null);
        }

        if (ImageReference.TryParse(module.Text("image"), out var problem) is not { } image)
        {
            return new ImagePin(null, $"image \"{module.Text("image")}\" {problem}");
        }

        if (image.Digest is { } pinned)
        {
            return new ImagePin(pinned, null);
        }

        try
        {
            return new ImagePin(await platform.Vm.Images.ResolveAsync(image, cancellationToken), null);
        }
        catch (ImageException ex)
        {
            return new ImagePin(null, ex.Message);
        }
    }
}
