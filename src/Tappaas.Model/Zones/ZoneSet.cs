namespace Tappaas.Model.Zones;

/// <summary>The zones of one <c>zones.json</c> file.</summary>
/// <param name="File">The file as the user named it.</param>
/// <param name="Zones">Zones by name, in file order.</param>
public sealed record ZoneSet(string File, IReadOnlyList<ZoneDefinition> Zones)
{
    private readonly Dictionary<string, ZoneDefinition> _byName = Zones.GroupBy(z => z.Name).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    /// <summary>The zone with that name, or null.</summary>
    public ZoneDefinition? Find(string name) => _byName.GetValueOrDefault(name);
}
