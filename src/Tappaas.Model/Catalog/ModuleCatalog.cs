namespace Tappaas.Model.Catalog;

/// <summary>A repository's module catalog (<c>module-catalog.json</c>).</summary>
/// <param name="File">The file as the user named it.</param>
/// <param name="Entries">All entries in file order.</param>
public sealed record ModuleCatalog(string File, IReadOnlyList<CatalogEntry> Entries);
