namespace Tappaas.Model.Zones;

/// <summary>One network zone from <c>zones.json</c>, as authored (numbers read leniently).</summary>
public sealed record ZoneDefinition
{
    /// <summary>The zone's key, e.g. <c>srvHome</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Type name, e.g. <c>Service</c>.</summary>
    public string? Type { get; init; }

    /// <summary>Activation state; null when missing or not one of the five states.</summary>
    public ZoneState? State { get; init; }

    /// <summary>Numeric type id.</summary>
    public int? TypeId { get; init; }

    /// <summary>Zone number within its type (0..99).</summary>
    public int? SubId { get; init; }

    /// <summary>VLAN tag; 0 = untagged.</summary>
    public int? VlanTag { get; init; }

    /// <summary>Subnet in CIDR notation.</summary>
    public string? Ip { get; init; }

    /// <summary>Bridge the zone sits on.</summary>
    public string Bridge { get; init; } = "lan";

    /// <summary>Zones (or <c>internet</c>, <c>all</c>) this zone may open connections to.</summary>
    public IReadOnlyList<string> AccessTo { get; init; } = [];

    /// <summary>Zones that may open per-module pinholes into this zone.</summary>
    public IReadOnlyList<string> PinholeAllowedFrom { get; init; } = [];

    /// <summary>First host number handed out by DHCP.</summary>
    public int DhcpStart { get; init; } = 50;

    /// <summary>Last host number handed out by DHCP.</summary>
    public int DhcpEnd { get; init; } = 250;

    /// <summary>Free text.</summary>
    public string Description { get; init; } = "";

    /// <summary>True when the zone may reach the internet.</summary>
    public bool AllowsInternet => AccessTo.Contains("internet") || AccessTo.Contains("all");
}
