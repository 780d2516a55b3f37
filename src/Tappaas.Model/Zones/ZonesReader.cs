using System.Net;
using System.Text.RegularExpressions;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;

namespace Tappaas.Model.Zones;

/// <summary>Reads and validates a <c>zones.json</c> document.</summary>
public static partial class ZonesReader
{
    /// <summary>Reads the zones and reports every problem.</summary>
    public static ZoneSet Read(JObject root, DiagnosticSink sink)
    {
        var zones = new List<ZoneDefinition>();
        foreach (var p in root.Properties)
        {
            if (p.Name.StartsWith('_') || p.Name.StartsWith('-'))
            {
                continue; // documentation blocks
            }

            var path = JsonPathText.Member("$", p.Name);
            if (!ZoneName().IsMatch(p.Name))
            {
                sink.Error(DiagnosticCodes.ZoneNameInvalid, path, p.NamePosition,
                    $"zone name \"{p.Name}\" is not camelCase (a lowercase letter, then letters and digits)",
                    "rename the zone, e.g. \"iot-cams\" → \"iotCams\", and update modules that use it");
            }

            if (p.Value is not JObject z)
            {
                sink.Error(DiagnosticCodes.ZoneValueInvalid, path, p.Value.Position,
                    $"zone \"{p.Name}\" is {p.Value.KindName}, not an object", "write the zone as {\"type\": …, \"state\": …, …}");
                continue;
            }

            zones.Add(ReadZone(p.Name, z, path, sink));
        }

        var set = new ZoneSet(sink.File, zones);
        CheckReferences(set, root, sink);
        return set;
    }

    private static ZoneDefinition ReadZone(string name, JObject z, string path, DiagnosticSink sink)
    {
        string P(string member) => JsonPathText.Member(path, member);
        TextPosition Pos(string member) => z.Property(member)?.NamePosition ?? z.Position;

        foreach (var required in new[] { "type", "typeId", "vlantag", "ip" })
        {
            if (!z.Has(required))
            {
                sink.Error(DiagnosticCodes.ZoneFieldMissing, path, z.Position, $"zone \"{name}\" has no \"{required}\"",
                    $"add \"{required}\" (vlantag = typeId*100+subId, ip = 10.typeId.subId.0/24)");
            }
        }

        var type = Lenient.Text(z["type"]);
        int? expectedTypeId = null;
        if (type is not null)
        {
            if (ZoneTypes.Ids.TryGetValue(type, out var id))
            {
                expectedTypeId = id;
            }
            else
            {
                var close = ZoneTypes.Ids.Keys.FirstOrDefault(k => string.Equals(k, type, StringComparison.OrdinalIgnoreCase));
                sink.Warning(DiagnosticCodes.ZoneTypeUnknown, P("type"), Pos("type"),
                    $"zone \"{name}\" has type \"{type}\", which is not a known zone type",
                    close is not null ? $"write \"{close}\"" : $"use one of {string.Join(", ", ZoneTypes.Ids.Keys)}");
            }
        }

        ZoneState? state = null;
        var stateText = Lenient.Text(z["state"]);
        if (stateText is null)
        {
            state = ZoneState.Inactive;
        }
        else if (Enum.TryParse<ZoneState>(stateText, ignoreCase: false, out var s) && Enum.IsDefined(s) && !char.IsDigit(stateText[0]))
        {
            state = s;
        }
        else
        {
            sink.Error(DiagnosticCodes.ZoneStateInvalid, P("state"), Pos("state"),
                $"zone \"{name}\" has state \"{stateText}\", which is not a zone state",
                "use Active, Mandatory, Inactive, Disabled or Manual");
        }

        var typeId = Int(z, "typeId", name, path, sink, 0, 99);
        var subId = z.Has("subId") ? Int(z, "subId", name, path, sink, 0, 99) : 0;
        var vlan = Int(z, "vlantag", name, path, sink, 0, 4094);
        if (expectedTypeId is { } expected && typeId is { } actual && expected != actual)
        {
            sink.Error(DiagnosticCodes.ZoneTypeIdMismatch, P("typeId"), Pos("typeId"),
                $"zone \"{name}\" has type {type} (typeId {expected}) but typeId {actual}", $"set typeId to {expected}");
        }

        var overlay = type == "Overlay";
        if (!overlay && typeId is { } t && subId is { } sub && vlan is { } v && v != 0 && v != t * 100 + sub)
        {
            sink.Warning(DiagnosticCodes.ZoneVlanFormula, P("vlantag"), Pos("vlantag"),
                $"zone \"{name}\" has vlantag {v}, but typeId {t} and subId {sub} give {t * 100 + sub}",
                "vlantag is typeId*100+subId; fix whichever of the three is wrong");
        }

        var ip = Lenient.Text(z["ip"]);
        if (ip is not null)
        {
            if (!IPNetwork.TryParse(ip, out var network) || network.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                sink.Error(DiagnosticCodes.ZoneValueInvalid, P("ip"), Pos("ip"),
                    $"zone \"{name}\" has ip \"{ip}\", which is not an IPv4 subnet in CIDR notation", "write it like \"10.2.10.0/24\"");
            }
            else if (!overlay && typeId is { } t2 && subId is { } s2 && ip != $"10.{t2}.{s2}.0/24")
            {
                sink.Warning(DiagnosticCodes.ZoneIpFormula, P("ip"), Pos("ip"),
                    $"zone \"{name}\" has ip {ip}, but typeId {t2} and subId {s2} give 10.{t2}.{s2}.0/24",
                    "the zone subnet is 10.typeId.subId.0/24; fix whichever is wrong");
            }
        }

        // Upstream lower-cases bridge names ("LAN" is lan).
        var bridge = (Lenient.Text(z["bridge"]) ?? "lan").ToLowerInvariant();
        if (!ZoneTypes.Bridges.Contains(bridge))
        {
            sink.Error(DiagnosticCodes.ZoneValueInvalid, P("bridge"), Pos("bridge"),
                $"zone \"{name}\" has bridge \"{bridge}\", which is not one of {string.Join(", ", ZoneTypes.Bridges)}",
                "use lan, wan, opt1 or opt2");
        }

        var dhcpStart = z.Has("DHCP-start") ? Int(z, "DHCP-start", name, path, sink, 1, 254) ?? 50 : 50;
        var dhcpEnd = z.Has("DHCP-end") ? Int(z, "DHCP-end", name, path, sink, 1, 254) ?? 250 : 250;
        if (dhcpStart > dhcpEnd)
        {
            sink.Error(DiagnosticCodes.ZoneValueInvalid, P("DHCP-start"), Pos("DHCP-start"),
                $"zone \"{name}\" has a DHCP range that starts ({dhcpStart}) after it ends ({dhcpEnd})", "swap DHCP-start and DHCP-end");
        }

        foreach (var list in new[] { "access-to", "pinhole-allowed-from" })
        {
            if (z[list] is { } node && node is not JArray)
            {
                sink.Error(DiagnosticCodes.ZoneValueInvalid, P(list), Pos(list),
                    $"zone \"{name}\": \"{list}\" is {node.KindName}, not an array of zone names", $"write \"{list}\": [\"zoneA\", \"zoneB\"]");
            }
        }

        return new ZoneDefinition
        {
            Name = name, Type = type, State = state, TypeId = typeId, SubId = subId, VlanTag = vlan, Ip = ip, Bridge = bridge,
            AccessTo = Lenient.Strings(z["access-to"]), PinholeAllowedFrom = Lenient.Strings(z["pinhole-allowed-from"]),
            DhcpStart = dhcpStart, DhcpEnd = dhcpEnd, Description = Lenient.Text(z["description"]) ?? "",
        };
    }

    private static int? Int(JObject z, string member, string zone, string path, DiagnosticSink sink, int min, int max)
    {
        var node = z[member];
        if (node is null)
        {
            return null;
        }

        var value = Lenient.Integer(node);
        if (value is null || value < min || value > max)
        {
            sink.Error(DiagnosticCodes.ZoneValueInvalid, JsonPathText.Member(path, member), z.Property(member)!.NamePosition,
                $"zone \"{zone}\": {member} is {Describe(node)}, expected a whole number from {min} to {max}",
                $"write {member} as a number between {min} and {max}");
            return null;
        }

        return (int)value;
    }

    private static string Describe(JNode node) => node.ScalarText is { } t ? $"\"{t}\"" : node.KindName;

    private static void CheckReferences(ZoneSet set, JObject root, DiagnosticSink sink)
    {
        var seenVlans = new Dictionary<int, string>();
        foreach (var zone in set.Zones)
        {
            var path = JsonPathText.Member("$", zone.Name);
            var node = (JObject)root[zone.Name]!;
            if (zone.VlanTag is { } tag and > 0)
            {
                if (seenVlans.TryGetValue(tag, out var other))
                {
                    sink.Error(DiagnosticCodes.ZoneDuplicateVlan, JsonPathText.Member(path, "vlantag"), node.Property("vlantag")!.NamePosition,
                        $"zones \"{other}\" and \"{zone.Name}\" both use VLAN {tag}", "give each zone its own subId (and so its own vlantag)");
                }
                else
                {
                    seenVlans[tag] = zone.Name;
                }
            }

            foreach (var (list, items, specials) in new[]
            {
                ("access-to", zone.AccessTo, new[] { "internet", "all" }),
                ("pinhole-allowed-from", zone.PinholeAllowedFrom, new[] { "internet" }),
            })
            {
                foreach (var target in items)
                {
                    if (!specials.Contains(target) && set.Find(target) is null)
                    {
                        sink.Warning(DiagnosticCodes.ZoneReferenceUnknown, JsonPathText.Member(path, list), node.Property(list)!.NamePosition,
                            $"zone \"{zone.Name}\" lists \"{target}\" in {list}, but there is no such zone",
                            $"add zone \"{target}\" or remove it from {list}");
                    }
                }
            }
        }
    }

    [GeneratedRegex("^[a-z][a-zA-Z0-9]*$")]
    private static partial Regex ZoneName();
}
