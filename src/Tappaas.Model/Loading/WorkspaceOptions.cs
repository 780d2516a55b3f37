namespace Tappaas.Model.Loading;

/// <summary>Extra inputs for loading a set of module files.</summary>
public sealed record WorkspaceOptions
{
    /// <summary>The zones file module zones are checked against; chosen from the loaded files when null.</summary>
    public string? ZonesFile { get; init; }

    /// <summary>The site configuration nodes are checked against; chosen from the loaded files when null.</summary>
    public string? ConfigurationFile { get; init; }

    /// <summary>Folders of installed modules (upstream's config folder layout) that provide services.</summary>
    public IReadOnlyList<string> InstalledDirs { get; init; } = [];
}
