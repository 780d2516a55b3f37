namespace Tappaas.Model.Modules;

/// <summary>A field written in two places of one module file (header and a block, or two blocks).</summary>
/// <param name="Name">The field.</param>
/// <param name="First">Where it was written first.</param>
/// <param name="Second">Where it was written again.</param>
public sealed record FieldConflict(string Name, FlatField First, FlatField Second);
