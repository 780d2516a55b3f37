using Tappaas.Client;
using Tappaas.Model.Json;

namespace Tappaas.Composition;

public sealed partial class SiteApi
{
    /// <summary>
    /// The modules the site's repositories offer, each with its version and description and whether (and at which
    /// revision) it is installed; a file that cannot be read says why instead. Installing one is a plan and an apply.
    /// </summary>
    public async Task<ApiResult<List<CatalogEntryV1>>> CatalogAsync(CancellationToken ct)
    {
        var installed = (await site.Store.ListModulesAsync(ct)).Where(m => m.Status == "installed").ToDictionary(m => m.Name, StringComparer.Ordinal);
        return Ok(ModuleLocator.Catalog(site.Layout).Select(entry =>
        {
            var (source, error) = ModuleLocator.Read(entry.File, entry.Name);
            var root = source?.Definition.Root;
            return new CatalogEntryV1(entry.Name, Lenient.Text(root?["version"]), Lenient.Text(root?["description"]),
                installed.TryGetValue(entry.Name, out var m) ? m.Revision : null, error);
        }).ToList());
    }
}
