using System.Net;
using Tappaas.Model.Json;
using Tappaas.Model.Loading;
using Tappaas.Model.Modules;
using Tappaas.Model.Zones;
using Tappaas.Platform.Embedded.Dns;
using Tappaas.Platform.Embedded.Firewall;
using Tappaas.Platform.Embedded.Network;
using Tappaas.Platform.Embedded.Runtime;

namespace Tappaas.Platform.Embedded;

/// <summary>
/// Brings the site's firewall and DNS in line with its modules and guests: after any guest, rule or name change the
/// whole nftables table is recompiled and replaced, and the DNS records are rewritten. Whole-site recompilation keeps
/// rules that name other modules (ingress from a module, pinholes to a provider) current as those modules come and go.
/// </summary>
public sealed class SiteNetwork(EmbeddedPlatform platform, Func<string, string?> moduleFolder)
{
    private string FirewallDir => Path.Combine(platform.SiteFolder, "firewall");

    /// <summary>The ruleset last written (for operators and tests).</summary>
    public string RulesetPath => Path.Combine(FirewallDir, "ruleset.nft");

    private string HostPortsFile => Path.Combine(FirewallDir, "host-ports.json");

    /// <summary>Host TCP ports guests may reach on their gateway (the proxy's), as the daemon announced them.</summary>
    public IReadOnlyList<int> HostPorts =>
        File.Exists(HostPortsFile) ? System.Text.Json.JsonSerializer.Deserialize<List<int>>(File.ReadAllText(HostPortsFile)) ?? [] : [];

    /// <summary>Announces the host ports guests may reach (the daemon's proxy listeners) and applies the firewall with them.</summary>
    public async Task SetHostPortsAsync(IReadOnlyList<int> ports, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(FirewallDir);
        await File.WriteAllTextAsync(HostPortsFile, System.Text.Json.JsonSerializer.Serialize(ports.Distinct().Order()), cancellationToken);
        if (platform.Isolate)
        {
            await RefreshAsync(null, null, cancellationToken);
        }
    }

    public DnsServer Dns => new(platform.Names);

    /// <summary>
    /// Compiles and (with isolation) applies the firewall and DNS for the installed modules, with <paramref name="upsert"/>
    /// as it is about to be recorded and without <paramref name="removed"/>.
    /// </summary>
    public async Task<FirewallPolicy> RefreshAsync(ModuleDefinition? upsert, string? removed, CancellationToken cancellationToken)
    {
        var (policy, modules, guests, zones, domain) = Compile(upsert, removed);
        if (!platform.Isolate)
        {
            return policy; // loopback guests: nothing to route, filter or name
        }

        Directory.CreateDirectory(FirewallDir);
        var ruleset = NftRenderer.Render(policy, platform.Names.Table, platform.Names.BridgePattern, HostPorts);
        await File.WriteAllTextAsync(RulesetPath + ".tmp", ruleset, cancellationToken);
        var (code, output) = await Sh.RunAsync("nft", ["-f", RulesetPath + ".tmp"], cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"nft refused the site ruleset ({RulesetPath}.tmp), the previous one stays in force: {output}");
        }

        File.Move(RulesetPath + ".tmp", RulesetPath, overwrite: true);

        var gateways = zones.Zones.Where(z => Directory.Exists($"/sys/class/net/{platform.Names.Bridge(z.Name)}") && FirewallCompiler.Cidr(z) is not null)
            .Select(z => Gateway(z)).ToList();
        if (guests.Count == 0)
        {
            Dns.Stop();
        }
        else
        {
            await Dns.ApplyAsync(DnsRecords.HostsFile(DnsRecords.Build(modules, guests, domain, gateways)), cancellationToken);
        }

        return policy;
    }

    /// <summary><see cref="RefreshAsync"/> for a provider step: the policy, or why the host refused it.</summary>
    public async Task<(FirewallPolicy? Policy, string? Error)> TryRefreshAsync(ModuleDefinition? upsert, string? removed, CancellationToken cancellationToken)
    {
        try
        {
            return (await RefreshAsync(upsert, removed, cancellationToken), null);
        }
        catch (InvalidOperationException ex)
        {
            return (null, ex.Message);
        }
    }

    /// <summary>The policy for the installed modules (with <paramref name="upsert"/>, without <paramref name="removed"/>), not applied.</summary>
    public (FirewallPolicy Policy, List<ModuleDefinition> Modules, Dictionary<string, IReadOnlyList<(string Guest, string Address)>> Guests, ZoneSet Zones, string? Domain) Compile(
        ModuleDefinition? upsert, string? removed)
    {
        var (site, zones, _) = SiteFiles.Read(Path.Combine(platform.SiteFolder, "config"));
        zones ??= new ZoneSet("zones.json", []);
        var modules = Installed().Where(m => m.Name != upsert?.Name && m.Name != removed).ToList();
        if (upsert is not null && upsert.Name != removed)
        {
            modules.Add(upsert);
        }

        var guests = Guests(removed);
        var addresses = guests.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)[.. kv.Value.Select(g => g.Address)]);
        return (FirewallCompiler.Compile(new FirewallInput(zones, modules, addresses, Pinholes)), modules, guests, zones, site?.Domain);
    }

    /// <summary>The site's live nftables table, or null when there is none.</summary>
    public async Task<string?> LiveRulesetAsync(CancellationToken cancellationToken)
    {
        var (code, output) = await Sh.RunAsync("nft", ["list", "table", "inet", platform.Names.Table], cancellationToken);
        return code == 0 ? output : null;
    }

    /// <summary>The gateway (<c>.1</c>) of a zone.</summary>
    public static string Gateway(ZoneDefinition zone) =>
        string.Join('.', zone.Ip!.Split('/')[0].Split('.').Take(3)) + ".1";

    /// <summary>Removes the site's table, stops its DNS and deletes its zone bridges (the site is being taken down; its guests are gone).</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken)
    {
        await Sh.RunAsync("nft", ["delete", "table", "inet", platform.Names.Table], cancellationToken);
        Dns.Stop();
        await new GuestNetwork(platform.Names).RemoveBridgesAsync(cancellationToken);
    }

    /// <summary>The installed modules: the module files in the site's config folder.</summary>
    public IReadOnlyList<ModuleDefinition> Installed()
    {
        var config = Path.Combine(platform.SiteFolder, "config");
        if (!Directory.Exists(config))
        {
            return [];
        }

        var result = new List<ModuleDefinition>();
        foreach (var file in Directory.GetFiles(config, "*.json").Order(StringComparer.Ordinal))
        {
            var name = WorkspaceLoader.ModuleName(file);
            if (name is "configuration" or "zones" || JsonSource.ParseFile(file, file).Root is not JObject root)
            {
                continue;
            }

            result.Add(new ModuleDefinition(name, file, root));
        }

        return result;
    }

    /// <summary>The addresses of one module's isolated guests, sorted.</summary>
    public IReadOnlyList<string> AddressesOf(string module) =>
        [.. platform.Runtime.GuestsOf(module).Select(platform.Runtime.Spec)
            .Where(s => s is { Isolation: "namespaces", Address.Length: > 0 }).Select(s => s!.Address).Order(StringComparer.Ordinal)];

    /// <summary>The isolated guests of each module with their addresses.</summary>
    private Dictionary<string, IReadOnlyList<(string Guest, string Address)>> Guests(string? removed)
    {
        var byModule = new Dictionary<string, List<(string, string)>>(StringComparer.Ordinal);
        var dir = platform.Runtime.GuestsDir;
        foreach (var guestDir in Directory.Exists(dir) ? [.. Directory.GetDirectories(dir).Order(StringComparer.Ordinal)] : Array.Empty<string>())
        {
            var spec = platform.Runtime.Spec(Path.GetFileName(guestDir));
            if (spec is { Isolation: "namespaces", Address: { Length: > 0 } address } && spec.Module != removed && !platform.Runtime.Draining(spec.Guest))
            {
                (byModule.TryGetValue(spec.Module, out var list) ? list : byModule[spec.Module] = []).Add((spec.Guest, address));
            }
        }

        return byModule.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<(string, string)>)kv.Value, StringComparer.Ordinal);
    }

    private IReadOnlyList<PinholePort>? Pinholes(string module, string service)
    {
        if (moduleFolder(module) is not { } folder || Path.Combine(folder, "services", service, "pinhole.json") is var file && !File.Exists(file))
        {
            return null;
        }

        if (JsonSource.ParseFile(file, file).Root is not JObject root || root["ports"] is not JArray ports)
        {
            return null;
        }

        var result = new List<PinholePort>();
        foreach (var item in ports.Items.OfType<JObject>())
        {
            if (FirewallCompiler.Range(item["port"]) is { } range && FirewallCompiler.Protocols(item["protocol"]) is { } protocols)
            {
                result.AddRange(protocols.Select(p => new PinholePort(FirewallCompiler.Render(range), p)));
            }
        }

        return result;
    }

    internal static IPAddress GatewayAddress(ZoneDefinition zone) => IPAddress.Parse(Gateway(zone));
}
