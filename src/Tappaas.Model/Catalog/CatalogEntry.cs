namespace Tappaas.Model.Catalog;

/// <summary>One entry of a module catalog.</summary>
/// <param name="Section">The catalog section (foundationModules, applicationModules, proxmoxTemplates, testModules).</param>
/// <param name="ModuleName">The module's name.</param>
/// <param name="ModuleJson">Path of the module file, relative to the repository root.</param>
/// <param name="VmId">Reserved guest id; null or 0 for modules without a guest.</param>
/// <param name="Stack">Catalog stack (user-facing entries only).</param>
public sealed record CatalogEntry(string Section, string ModuleName, string? ModuleJson, long? VmId, string? Stack);
