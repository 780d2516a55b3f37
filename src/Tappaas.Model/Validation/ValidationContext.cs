using Tappaas.Model.Site;
using Tappaas.Model.Zones;

namespace Tappaas.Model.Validation;

/// <summary>What module validation checks against: the site's zones and configuration, when known.</summary>
/// <param name="Zones">The zone table; null skips zone checks.</param>
/// <param name="Site">The site configuration; null skips node checks.</param>
public sealed record ValidationContext(ZoneSet? Zones, SiteConfiguration? Site)
{
    /// <summary>No zones, no site: field checks only.</summary>
    public static ValidationContext None { get; } = new(null, null);
}
