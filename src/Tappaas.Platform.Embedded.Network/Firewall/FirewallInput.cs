using Tappaas.Model.Modules;
using Tappaas.Model.Zones;


namespace Tappaas.Platform.Embedded.Network.Firewall;

/// <summary>A port a provider's <c>services/&lt;svc&gt;/pinhole.json</c> opens for consumers in other zones.</summary>
public sealed record PinholePort(string Port, string Protocol);

/// <summary>What the site firewall is compiled from.</summary>
/// <param name="Zones">The site's zones.json.</param>
/// <param name="Modules">The installed modules (with the one being installed or updated, without the one being removed).</param>
/// <param name="Addresses">The guest addresses of each module.</param>
/// <param name="Pinholes">The pinhole ports of a provider's service, or null when it declares none.</param>
public sealed record FirewallInput(
    ZoneSet Zones,
    IReadOnlyList<ModuleDefinition> Modules,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Addresses,
    Func<string, string, IReadOnlyList<PinholePort>?> Pinholes);
