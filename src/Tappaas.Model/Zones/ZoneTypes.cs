namespace Tappaas.Model.Zones;

/// <summary>The zone types and their numeric ids (the id is the second octet of the zone's subnet).</summary>
public static class ZoneTypes
{
    /// <summary>Type name → typeId.</summary>
    public static IReadOnlyDictionary<string, int> Ids { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["Management"] = 0,
        ["Service"] = 2,
        ["Client"] = 3,
        ["IoT"] = 4,
        ["Guest"] = 5,
        ["DMZ"] = 6,
        ["Overlay"] = 7,
    };

    /// <summary>The bridges a zone may sit on.</summary>
    public static IReadOnlyList<string> Bridges { get; } = ["lan", "wan", "opt1", "opt2"];
}
