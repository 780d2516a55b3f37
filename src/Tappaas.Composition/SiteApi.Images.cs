using Tappaas.Client;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Model.Site;
using Tappaas.Platform.Embedded;

namespace Tappaas.Composition;

public sealed partial class SiteApi
{
    /// <summary>The site's embedded platform, whose store holds the images (absent on a composition without it).</summary>
    private EmbeddedPlatform? Embedded => site.Services.GetService(typeof(EmbeddedPlatform)) as EmbeddedPlatform;

    /// <summary>Checks the credentials with the registry (skopeo login) and keeps them in the secret store's registry auth file (0600).</summary>
    public async Task<ApiResult<bool>> RegistryLoginAsync(RegistryLoginV1 login, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(login.Registry) || login.Registry.Contains('/', StringComparison.Ordinal) || string.IsNullOrWhiteSpace(login.Username) || string.IsNullOrEmpty(login.Password))
        {
            return Problem(400, ApiProblem.InvalidRequest, "registry, username and password are required; the registry is a host[:port] such as ghcr.io or 127.0.0.1:5000");
        }

        if (Embedded is not { } platform)
        {
            return Problem(400, ApiProblem.InvalidRequest, "this site runs no image guests");
        }

        var problem = await platform.Vm.Images.LoginAsync(login.Registry, login.Username, login.Password, ct);
        return problem is null ? Ok(true) : Problem(400, "the registry refused the login", problem);
    }

    /// <summary>Forgets the credentials of a registry.</summary>
    public async Task<ApiResult<bool>> RegistryLogoutAsync(string registry, CancellationToken ct)
    {
        return Ok(Embedded is { } platform && await platform.Vm.Images.LogoutAsync(registry, ct));
    }

    /// <summary>The images in the site's store: digest, size, the references they were pulled as and the revisions that use them.</summary>
    public async Task<ApiResult<List<ImageV1>>> ImagesAsync(CancellationToken ct)
    {
        var uses = await SiteImages.UsesAsync(site, int.MaxValue, ct);
        var store = Embedded?.Vm.Images;
        return Ok((store?.List() ?? []).Select(i => new ImageV1(i.Digest, i.Bytes,
            [.. uses.Where(u => u.Digest == i.Digest).Select(u => u.Repository).Distinct(StringComparer.Ordinal)],
            [.. uses.Where(u => u.Digest == i.Digest).Select(u => u.Use)])).ToList());
    }

    /// <summary>
    /// Removes the images that no revision within the site's retention (<c>snapshotRetention</c> newest revisions of
    /// each module) and no guest uses, with the blobs and unpacked root filesystems only they had.
    /// </summary>
    public async Task<ApiResult<List<string>>> PruneImagesAsync(CancellationToken ct)
    {
        if (Embedded is not { } platform)
        {
            return Ok(new List<string>());
        }

        var retention = SiteSnapshot.Read(site.Layout.ConfigDir).Configuration?.SnapshotRetention ?? 5;
        var keep = (await SiteImages.UsesAsync(site, retention, ct)).Select(u => u.Digest)
            .Concat(platform.Runtime.All().Select(g => g.Spec.Oci?.Image).OfType<string>().Select(i => i[(i.IndexOf('@', StringComparison.Ordinal) + 1)..]))
            .ToHashSet(StringComparer.Ordinal);
        return Ok((await platform.Vm.Images.PruneAsync(keep, ct)).ToList());
    }
}

/// <summary>Which revisions use which image (from the recorded definitions' <c>imageDigest</c>).</summary>
internal static class SiteImages
{
    /// <summary>registry/name@digest of a recorded definition, or null when it runs no pinned image.</summary>
    public static string? ImageOf(string definition)
    {
        if (JsonSource.Parse("m.json", System.Text.Encoding.UTF8.GetBytes(definition)).Root is not JObject root)
        {
            return null;
        }

        var module = new ModuleDefinition("m", "m.json", root);
        return module.Text("imageType") == "oci" && module.Text("imageDigest") is { } digest && Model.Images.ImageReference.TryParse(module.Text("image"), out _) is { } image
            ? image.At(digest).Canonical
            : null;
    }

    /// <summary>Each use of an image by the newest <paramref name="perModule"/> revisions of each module: digest, repository, "module rN".</summary>
    public static async Task<List<(string Digest, string Repository, string Use)>> UsesAsync(SiteSession site, int perModule, CancellationToken ct)
    {
        var uses = new List<(string, string, string)>();
        foreach (var module in await site.Store.ListModulesAsync(ct))
        {
            foreach (var revision in (await site.Store.HistoryAsync(module.Name, ct)).OrderByDescending(r => r.Revision).Take(perModule))
            {
                if (ImageOf(revision.Definition) is { } image)
                {
                    var at = image.IndexOf('@', StringComparison.Ordinal);
                    uses.Add((image[(at + 1)..], image[..at], $"{module.Name} r{revision.Revision}"));
                }
            }
        }

        return uses;
    }
}
