using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Model.Zones;


namespace Tappaas.Platform.Embedded.Network.Firewall;

/// <summary>The rules of one module: its ingress, egress and automatic pinholes, with the problems found on the way.</summary>
internal sealed class ModuleCompiler(
    FirewallInput input,
    IReadOnlyDictionary<string, ModuleDefinition> modules,
    ModuleDefinition module,
    List<FirewallIssue> issues,
    List<FilterRule> rules,
    List<PortForward> forwards)
{
    private readonly ZoneDefinition? _zone = input.Zones.Find(module.Zone0);

    public void Run()
    {
        if (_zone is null)
        {
            Error("$.zone0", $"zone \"{module.Zone0}\" is not in zones.json", "install the module in a zone of the site");
            return;
        }

        if (Own() is not { Count: > 0 } own)
        {
            Warning("$", "the module has no guest addresses yet, so none of its rules can be written", "install its cluster:vm first");
            return;
        }

        var declared = Declared();
        Directional("ingress", "from", own, declared);
        Directional("egress", "to", own, declared);
        AutoPinholes(own);
    }

    private void Directional(string field, string peerKey, IReadOnlyList<string> own, List<(int First, int Last)> declared)
    {
        if (module.Field(field)?.Value is not JArray items)
        {
            return;
        }

        for (var i = 0; i < items.Items.Count; i++)
        {
            var path = $"$.{field}[{i}]";
            if (items.Items[i] is not JObject item || Lenient.Text(item[peerKey]) is not { Length: > 0 } peerName)
            {
                Error(path, $"the {field} entry has no \"{peerKey}\"", $"write {{\"{peerKey}\": \"home\", \"ports\": [443], \"description\": \"why\"}}");
                continue;
            }

            if (FirewallCompiler.Protocols(item["protocol"]) is not { } protocols)
            {
                Error(path + ".protocol", $"protocol {item["protocol"]!.Display} is not TCP, UDP or TCP/UDP", "write \"protocol\": \"UDP\" or leave it out for TCP");
                continue;
            }

            var ports = Ports(item["ports"], path + ".ports");
            if (ports is null)
            {
                continue;
            }

            var peer = Resolve(peerName, path + "." + peerKey, ingress: field == "ingress");
            if (peer is null)
            {
                continue;
            }

            foreach (var range in ports)
            {
                if (field == "ingress" && !declared.Any(d => d.First <= range.First && range.Last <= d.Last))
                {
                    Error(path + ".ports", $"port {FirewallCompiler.Render(range)} is not among the module's \"ports\"", "declare it in \"ports\" or remove it from this ingress");
                    continue;
                }

                foreach (var protocol in protocols)
                {
                    var port = FirewallCompiler.Render(range);
                    var suffix = protocol == "tcp" ? "" : "/" + protocol.ToUpperInvariant();
                    var comment = $"tappaas-module:{module.VmName}:{field}:{peerName}:{port}{suffix}";
                    var match = new PortMatch(protocol, [port]);
                    rules.Add(field == "ingress"
                        ? new FilterRule(comment, peer, new Peer.Addresses(own), match)
                        : new FilterRule(comment, new Peer.Addresses(own), peer, match));
                    if (field == "ingress" && peer is Peer.Internet)
                    {
                        forwards.Add(new PortForward(comment, protocol, port, own[0]));
                    }
                }
            }
        }
    }

    private void AutoPinholes(IReadOnlyList<string> own)
    {
        foreach (var dep in module.DependsOn)
        {
            if (!modules.TryGetValue(dep.Module, out var provider) || provider.Name == module.Name || input.Pinholes(dep.Module, dep.Service) is not { Count: > 0 } ports)
            {
                continue;
            }

            var providerZone = input.Zones.Find(provider.Zone0);
            if (providerZone is null || providerZone.Name == _zone!.Name || providerZone.AccessTo.Contains(_zone.Name))
            {
                continue; // same zone, or the zone baseline already lets the consumer in
            }

            if (!providerZone.PinholeAllowedFrom.Contains(_zone.Name))
            {
                Warning("$.dependsOn", $"{dep} is in zone {providerZone.Name}, which does not allow pinholes from {_zone.Name}; its ports stay closed to {module.Name}",
                    $"add \"{_zone.Name}\" to pinhole-allowed-from of {providerZone.Name} in zones.json, or move a module");
                continue;
            }

            if (input.Addresses.GetValueOrDefault(provider.Name) is not { Count: > 0 } providerAddresses)
            {
                Warning("$.dependsOn", $"{dep.Module} has no guest addresses yet, so the pinhole to it cannot be written", $"install {dep.Module} first");
                continue;
            }

            foreach (var p in ports)
            {
                var suffix = p.Protocol == "tcp" ? "" : "/" + p.Protocol.ToUpperInvariant();
                rules.Add(new FilterRule($"tappaas-svcdep:{module.VmName}:{dep.Service}:{provider.VmName}:{p.Port}{suffix}",
                    new Peer.Addresses(own), new Peer.Addresses(providerAddresses), new PortMatch(p.Protocol, [p.Port])));
            }
        }
    }

    private Peer? Resolve(string name, string path, bool ingress)
    {
        if (name == "internet")
        {
            return ingress && !_zone!.PinholeAllowedFrom.Contains("internet") ? NotAllowed("internet", path) : new Peer.Internet();
        }

        if (name.StartsWith("alias:", StringComparison.Ordinal))
        {
            var alias = (module.Field("aliases")?.Value as JObject)?[name["alias:".Length..]] as JObject;
            var addresses = Lenient.Strings(alias?["addresses"]);
            if (addresses.Count == 0)
            {
                Error(path, $"alias \"{name["alias:".Length..]}\" is not defined in the module's \"aliases\" (or has no addresses)", "define it under \"aliases\" with \"addresses\"");
                return null;
            }

            return new Peer.Addresses(addresses);
        }

        if (input.Zones.Find(name) is { } zone)
        {
            if (FirewallCompiler.Cidr(zone) is not { } cidr)
            {
                Error(path, $"zone \"{name}\" has no subnet", "give it an \"ip\" in zones.json");
                return null;
            }

            return ingress && zone.Name != _zone!.Name && !_zone.PinholeAllowedFrom.Contains(zone.Name) ? NotAllowed(zone.Name, path) : new Peer.Addresses([cidr]);
        }

        if (modules.TryGetValue(name, out var peer))
        {
            if (ingress && peer.Zone0 != _zone!.Name && !_zone.PinholeAllowedFrom.Contains(peer.Zone0))
            {
                return NotAllowed(peer.Zone0, path);
            }

            if (input.Addresses.GetValueOrDefault(peer.Name) is { Count: > 0 } addresses)
            {
                return new Peer.Addresses(addresses);
            }

            Warning(path, $"module \"{name}\" has no guest addresses yet; the rule is written once it has", $"install {name}");
            return null;
        }

        Error(path, $"\"{name}\" is not a zone, an installed module, \"internet\" or \"alias:<name>\"", "name a zone from zones.json or an installed module");
        return null;
    }

    private Peer? NotAllowed(string from, string path)
    {
        Error(path, $"zone {_zone!.Name} does not allow pinholes from {from}", $"add \"{from}\" to pinhole-allowed-from of {_zone.Name} in zones.json, or remove this ingress");
        return null;
    }

    private List<(int First, int Last)>? Ports(JNode? node, string path)
    {
        if (node is not JArray { Items.Count: > 0 } array)
        {
            Error(path, "\"ports\" must be a non-empty list of ports", "write e.g. \"ports\": [443] or [\"8000:8010\"]");
            return null;
        }

        var result = new List<(int, int)>();
        for (var i = 0; i < array.Items.Count; i++)
        {
            if (FirewallCompiler.Range(array.Items[i]) is not { } range)
            {
                Error($"{path}[{i}]", $"{array.Items[i].Display} is not a port from 1 to 65535 or a range \"a:b\"", "write e.g. 443 or \"8000:8010\"");
                return null;
            }

            result.Add(range);
        }

        return result;
    }

    private List<(int First, int Last)> Declared()
    {
        var list = new List<(int, int)>();
        foreach (var item in (module.Field("ports")?.Value as JArray)?.Items ?? [])
        {
            if (FirewallCompiler.Range(item is JObject o ? o["port"] : item) is { } range)
            {
                list.Add(range);
            }
        }

        return list;
    }

    private IReadOnlyList<string>? Own() => input.Addresses.GetValueOrDefault(module.Name);

    private void Error(string path, string message, string hint) => issues.Add(new FirewallIssue(module.Name, path, message, hint, IsError: true));

    private void Warning(string path, string message, string hint) => issues.Add(new FirewallIssue(module.Name, path, message, hint, IsError: false));
}
