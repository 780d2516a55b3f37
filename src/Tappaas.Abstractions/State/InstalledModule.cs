namespace Tappaas.Abstractions.State;

/// <summary>What the state store records about an installed module.</summary>
/// <param name="Name">The module name.</param>
/// <param name="Revision">The module's definition revision (1 for the first install, +1 per applied change).</param>
/// <param name="Definition">The applied module file in canonical form.</param>
/// <param name="Status">installed, archived, failed…</param>
/// <param name="UpdatedAt">When the record last changed.</param>
public sealed record InstalledModule(string Name, int Revision, string Definition, string Status, DateTimeOffset UpdatedAt);
