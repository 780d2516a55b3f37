using Tappaas.Model.Modules;

namespace Tappaas.Engine;

/// <summary>A module release to install: its definition, its folder (scripts, services/) and the file text as released.</summary>
/// <param name="Definition">The parsed module file.</param>
/// <param name="Folder">The module's folder (absolute).</param>
/// <param name="ReleaseText">The file as released, kept as the merge baseline.</param>
public sealed record ModuleSource(ModuleDefinition Definition, string Folder, string ReleaseText);
