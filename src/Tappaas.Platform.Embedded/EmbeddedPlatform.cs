using Tappaas.Abstractions.Providers;
using Tappaas.Model.Loading;
using Tappaas.Model.Modules;
using Tappaas.Platform.Embedded.Backup;
using Tappaas.Platform.Embedded.Network;
using Tappaas.Platform.Embedded.Host;
using Tappaas.Platform.Embedded.Guests;

namespace Tappaas.Platform.Embedded;

/// <summary>
/// The embedded platform of one site: guests (<c>cluster:vm</c>), the site firewall (<c>firewall:rules</c>), the
/// site DNS (<c>firewall:dns</c>) and backups (<c>backup:vm</c>), sharing the site's host object names and its state.
/// </summary>
public sealed class EmbeddedPlatform : IBackupGuests
{
    /// <param name="siteFolder">The site folder.</param>
    /// <param name="isolate">Namespaces, bridges, cgroups, firewall and DNS (root); otherwise supervised processes on loopback.</param>
    /// <param name="time">The clock (snapshot ids, backup ages).</param>
    /// <param name="moduleFolder">Finds a module's release folder by name (for its services' pinhole.json); null when unknown.</param>
    public EmbeddedPlatform(string siteFolder, bool isolate, TimeProvider time, Func<string, string?>? moduleFolder = null)
    {
        Time = time;
        ModuleFolder = moduleFolder ?? (_ => null);
        SiteFolder = siteFolder;
        Isolate = isolate;
        Names = new HostNames(SiteFiles.Read(Path.Combine(siteFolder, "config")).Site?.EmbeddedInstance);
        Runtime = new GuestRuntime(siteFolder);
        Network = new SiteNetwork(siteFolder, Names, isolate, GuestEndpoints, ModuleFolder);
        Vm = new EmbeddedVmProvider(this);
        Rules = new EmbeddedRulesProvider(this);
        Dns = new EmbeddedDnsProvider(this);
        Backup = new EmbeddedBackupProvider(this);
        Proxy = new EmbeddedProxyProvider(this);
    }

    /// <summary>True when this host can isolate guests (root, ip, unshare).</summary>
    public static bool CanIsolate => Environment.UserName == "root" && File.Exists("/usr/sbin/ip") && File.Exists("/usr/bin/unshare");

    public string SiteFolder { get; }

    /// <summary>Where image root filesystems are unpacked; null for the default under /var/lib/tappaas/rootfs (see <see cref="Images.ImageStore.Unpacked"/>).</summary>
    public string? UnpackedImages { get; init; }

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

    /// <summary>The guests that take traffic: isolated, addressed, not draining (what the firewall and DNS are compiled for).</summary>
    public IReadOnlyList<GuestEndpoint> GuestEndpoints() =>
        [.. Runtime.All().Where(g => g.Spec is { Isolation: "namespaces", Address.Length: > 0 } && !Runtime.Draining(g.Guest))
            .Select(g => new GuestEndpoint(g.Spec.Module, g.Guest, g.Spec.Address))];

    IReadOnlyList<ModuleDefinition> IBackupGuests.Installed() => Network.Installed();

    string? IBackupGuests.ModuleFolder(string module) => ModuleFolder(module);

    Task<IAsyncDisposable> IBackupGuests.PauseAsync(string module, CancellationToken cancellationToken) => Vm.PauseAsync(module, cancellationToken);

    Task IBackupGuests.ReplaceDiskAsync(string module, Func<string, Task> fill, CancellationToken cancellationToken) => Vm.ReplaceDiskAsync(module, fill, null, cancellationToken);

    string IBackupGuests.ScratchZone => EmbeddedVmProvider.ScratchZone.Name;

    IResourceProvider IBackupGuests.Guests => Vm;

    /// <summary>
    /// Stops every guest of the site (<c>tappaas down</c>); with <paramref name="purge"/> also removes each guest, the zone
    /// networks, the firewall table, the DNS and the site folder.
    /// </summary>
    public async Task StopAllAsync(bool purge, Action<string> say, CancellationToken cancellationToken)
    {
        foreach (var (guest, spec) in Runtime.All())
        {
            await Runtime.StopAsync(guest, cancellationToken);
            say($"stopped guest {guest}");
            if (purge)
            {
                await Vm.DeleteAsync(new(new ModuleDefinition(spec.Module, spec.Module + ".json", Model.Json.JObject.Empty), ServiceRef.Parse("cluster:vm"), SiteFolder, SiteFolder,
                    HookFlags.None), cancellationToken);
            }
        }

        if (purge)
        {
            if (Isolate)
            {
                await Network.RemoveAsync(cancellationToken);
            }

            Directory.Delete(SiteFolder, recursive: true);
            say($"removed the site {SiteFolder}");
        }
    }

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
