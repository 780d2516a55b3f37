using System.Net;
using Tappaas.Model.Json;
using Tappaas.Model.Loading;
using Tappaas.Model.Modules;
using Tappaas.Model.Zones;
using Tappaas.Platform.Embedded.Network.Dns;
using Tappaas.Platform.Embedded.Network.Firewall;
using Tappaas.Platform.Embedded.Host;
using Tappaas.IO;

namespace Tappaas.Platform.Embedded.Network;

/// <summary>
/// Brings the site's firewall and DNS in line with its modules and guests: after any guest, rule or name change the
/// whole nftables table is recompiled and replaced, and the DNS records are rewritten. Whole-site recompilation keeps
/// rules that name other modules (ingress from a module, pinholes to a provider) current as those modules come and go.
/// </summary>
/// <param name="siteFolder">The site folder.</param>
/// <param name="names">The site's host object names.</param>
/// <param name="isolate">Whether guests are isolated (with root): only then is anything applied on the host.</param>
/// <param name="guests">The guests that take traffic now: isolated, addressed, not draining (the guest runtime knows them).</param>
/// <param name="moduleFolder">Finds a module's release folder (its services' pinhole.json).</param>
public sealed class SiteNetwork(string siteFolder, HostNames names, bool isolate, Func<IReadOnlyList<GuestEndpoint>> guests, Func<string, string?> moduleFolder)
{
    private string FirewallDir => Path.Combine(siteFolder, "firewall");

    /// <summary>The ruleset last written (for operators and tests).</summary>
    public string RulesetPath => Path.Combine(FirewallDir, "ruleset.nft");

    private string HostPortsFile => Path.Combine(FirewallDir, "host-ports.json");

    /// <summary>Host TCP ports guests may reach on their gateway (the proxy's), as the daemon announced them.</summary>
    public IReadOnlyList<int> HostPorts =>
        File.Exists(HostPortsFile) ? System.Text.Json.JsonSerializer.Deserialize(File.ReadAllText(HostPortsFile), NetworkJson.Default.ListInt32) ?? [] : [];

    /// <summary>Announces the host ports guests may reach (the daemon's proxy listeners) and applies the firewall with them.</summary>
    public async Task SetHostPortsAsync(IReadOnlyList<int> ports, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(FirewallDir);
        await AtomicFile.WriteAsync(HostPortsFile, System.Text.Json.JsonSerializer.Serialize([.. ports.Distinct().Order()], NetworkJson.Default.ListInt32), cancellationToken);
        if (isolate)
        {
            await RefreshAsync(null, null, cancellationToken);
        }
    }

    public DnsServer Dns => new(names);

    /// <summary>
    /// Compiles and (with isolation) applies the firewall and DNS for the installed modules, with <paramref name="upsert"/>
    /// as it is about to be recorded and without <paramref name="removed"/>.
    /// </summary>
    /// <remarks>
    /// Refreshes of one site run one at a time (a table compiled earlier must never replace one compiled later), and
    /// plain refreshes (no <paramref name="upsert"/> or <paramref name="removed"/>) that queue behind a running one are
    /// answered by the next one to run: the modules of a parallel install share their refreshes.
    /// </remarks>
    public async Task<FirewallPolicy> RefreshAsync(ModuleDefinition? upsert, string? removed, CancellationToken cancellationToken)
    {
        var gate = RefreshGate.Of(siteFolder);
        var plain = upsert is null && removed is null;
        var ticket = plain ? gate.Ask() : 0;
        await gate.Lock.WaitAsync(cancellationToken);
        try
        {
            if (plain && gate.Answered(ticket) is { } answered)
            {
                return answered;
            }

            var covers = gate.Asked;
            var policy = await RefreshNowAsync(upsert, removed, cancellationToken);
            gate.Done(plain ? covers : 0, policy);
            return policy;
        }
        finally
        {
            gate.Lock.Release();
        }
    }

    private async Task<FirewallPolicy> RefreshNowAsync(ModuleDefinition? upsert, string? removed, CancellationToken cancellationToken)
    {
        var (policy, modules, guests, zones, domain) = Compile(upsert, removed);
        if (!isolate)
        {
            return policy; // loopback guests: nothing to route, filter or name
        }

        Directory.CreateDirectory(FirewallDir);
        var ruleset = NftRenderer.Render(policy, names.Table, names.BridgePattern, HostPorts);
        var (code, output) = await Sh.RunAsync("nft", ["-f", "-"], cancellationToken, input: ruleset);
        if (code != 0)
        {
            AtomicFile.Write(RulesetPath + ".refused", ruleset);
            throw new InvalidOperationException($"nft refused the site ruleset (kept as {RulesetPath}.refused), the previous one stays in force: {output}");
        }

        AtomicFile.Write(RulesetPath, ruleset); // what is in force, for 'nft -f' after a host reboot and for operators

        var gateways = zones.Zones.Where(z => Directory.Exists($"/sys/class/net/{names.Bridge(z.Name)}") && FirewallCompiler.Cidr(z) is not null)
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
        var (site, zones, _) = SiteFiles.Read(Path.Combine(siteFolder, "config"));
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
        var (code, output) = await Sh.RunAsync("nft", ["list", "table", "inet", names.Table], cancellationToken);
        return code == 0 ? output : null;
    }

    /// <summary>The gateway (<c>.1</c>) of a zone.</summary>
    public static string Gateway(ZoneDefinition zone) =>
        string.Join('.', zone.Ip!.Split('/')[0].Split('.').Take(3)) + ".1";

    /// <summary>Removes the site's table, stops its DNS and deletes its zone bridges (the site is being taken down; its guests are gone).</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken)
    {
        await Sh.RunAsync("nft", ["delete", "table", "inet", names.Table], cancellationToken);
        Dns.Stop();
        await new GuestNetwork(names).RemoveBridgesAsync(cancellationToken);
    }

    /// <summary>The installed modules: the module files in the site's config folder.</summary>
    public IReadOnlyList<ModuleDefinition> Installed()
    {
        var config = Path.Combine(siteFolder, "config");
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
        [.. guests().Where(g => g.Module == module).Select(g => g.Address).Order(StringComparer.Ordinal)];

    /// <summary>The isolated guests of each module with their addresses.</summary>
    private Dictionary<string, IReadOnlyList<(string Guest, string Address)>> Guests(string? removed) =>
        guests().Where(g => g.Module != removed).OrderBy(g => g.Guest, StringComparer.Ordinal).GroupBy(g => g.Module, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<(string, string)>)[.. g.Select(e => (e.Guest, e.Address))], StringComparer.Ordinal);

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

/// <summary>A guest that takes traffic: its module, name and address in its zone.</summary>
public sealed record GuestEndpoint(string Module, string Guest, string Address);
