using Tappaas.Model.Catalog;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Modules;
using Tappaas.Model.Site;
using Tappaas.Model.Zones;

namespace Tappaas.Model.Loading;

/// <summary>Everything loaded from a set of paths: files, modules, zones, site, catalogs, and the problems found while reading them.</summary>
public sealed class Workspace
{
    /// <summary>Every JSON file found, in path order.</summary>
    public required IReadOnlyList<LoadedFile> Files { get; init; }

    /// <summary>Module files from the given paths (the desired set).</summary>
    public required IReadOnlyList<ModuleDefinition> Modules { get; init; }

    /// <summary>Modules from installed folders (they provide services, they are not validated again).</summary>
    public required IReadOnlyList<ModuleDefinition> Installed { get; init; }

    /// <summary>Every zones file read.</summary>
    public required IReadOnlyList<ZoneSet> ZoneSets { get; init; }

    /// <summary>The zones modules are checked against, or null.</summary>
    public ZoneSet? Zones { get; init; }

    /// <summary>The site configuration modules are checked against, or null.</summary>
    public SiteConfiguration? Site { get; init; }

    /// <summary>Catalogs read.</summary>
    public required IReadOnlyList<ModuleCatalog> Catalogs { get; init; }

    /// <summary>Problems found while reading (syntax, per-file schema checks of non-module files).</summary>
    public required DiagnosticBag Diagnostics { get; init; }

    /// <summary>True when a given path did not exist (a usage error rather than a content error).</summary>
    public bool HasMissingPaths { get; init; }
}
