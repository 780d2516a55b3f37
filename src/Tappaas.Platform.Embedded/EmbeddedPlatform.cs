using Tappaas.Abstractions.Providers;
using Tappaas.Model.Loading;
using Tappaas.Model.Modules;
using Tappaas.Platform.Embedded.Network;
using Tappaas.Platform.Embedded.Runtime;

namespace Tappaas.Platform.Embedded;

/// <summary>
/// The embedded platform of one site: guests (<c>cluster:vm</c>), the site firewall (<c>firewall:rules</c>), the
/// site DNS (<c>firewall:dns</c>) and backups (<c>backup:vm</c>), sharing the site's host object names and its state.
/// </summary>
public sealed class EmbeddedPlatform
{
    /// <param name="siteFolder">The site folder.</param>
    /// <param name="isolate">Namespaces, bridges, cgroups, firewall and DNS (root); otherwise supervised processes on loopback.</param>
    /// <param name="moduleFolder">Finds a module's release folder by name (for its services' pinhole.json); null when unknown.</param>
    /// <param name="time">The clock (snapshot ids, backup ages).</param>
    public EmbeddedPlatform(string siteFolder, bool isolate, Func<string, string?>? moduleFolder = null, TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        ModuleFolder = moduleFolder ?? (_ => null);
        SiteFolder = siteFolder;
        Isolate = isolate;
        Names = new HostNames(SiteFiles.Read(Path.Combine(siteFolder, "config")).Site?.EmbeddedInstance);
        Runtime = new GuestRuntime(siteFolder);
        Network = new SiteNetwork(this, ModuleFolder);
        Vm = new EmbeddedVmProvider(this);
        Rules = new EmbeddedRulesProvider(this);
        Dns = new EmbeddedDnsProvider(this);
        Backup = new EmbeddedBackupProvider(this);
        Proxy = new EmbeddedProxyProvider(this);
    }

    /// <summary>True when this host can isolate guests (root, ip, unshare).</summary>
    public static bool CanIsolate => Environment.UserName == "root" && File.Exists("/usr/sbin/ip") && File.Exists("/usr/bin/unshare");

    public string SiteFolder { get; }

    public TimeProvider Time { get; }

    /// <summary>Finds a module's release folder (scripts, services/) by name; null when unknown.</summary>
    public Func<string, string?> ModuleFolder { get; }

    public bool Isolate { get; }

    public HostNames Names { get; }

    public GuestRuntime Runtime { get; }

    public SiteNetwork Network { get; }

    /// <summary><c>cluster:vm</c>.</summary>
    public EmbeddedVmProvider Vm { get; }

    /// <summary><c>firewall:rules</c>.</summary>
    public IResourceProvider Rules { get; }

    /// <summary><c>firewall:dns</c>.</summary>
    public IResourceProvider Dns { get; }

    /// <summary><c>firewall:proxy</c> (the daemon serves the routes).</summary>
    public IResourceProvider Proxy { get; }

    /// <summary><c>backup:vm</c>.</summary>
    public IResourceProvider Backup { get; }

    /// <summary>The provider of a service, or null when the embedded platform does not implement it.</summary>
    public IResourceProvider? For(ServiceRef service) => service.ToString() switch
    {
        "cluster:vm" => Vm,
        "firewall:rules" => Rules,
        "firewall:dns" => Dns,
        "backup:vm" => Backup,
        "firewall:proxy" => Proxy,
        _ => null,
    };
}
