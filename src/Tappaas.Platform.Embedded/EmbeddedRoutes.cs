using System.Net;
using System.Text.Json;
using Tappaas.Model.Json;
using Tappaas.Model.Loading;
using Tappaas.Model.Modules;
using Microsoft.Extensions.Primitives;
using Tappaas.Abstractions.Routing;
using Tappaas.Model.Resolved;
using Tappaas.Model.Site;
using Tappaas.Model.Zones;
using Tappaas.Platform.Embedded.Guests;

namespace Tappaas.Platform.Embedded;

/// <summary>
/// The embedded platform's routes for the reverse proxy: one per installed module that depends on <c>firewall:proxy</c>,
/// host = its resolved public name, upstream = its guests that serve (running, ready, not draining) on <c>proxyPort</c>
/// (on loopback guests, the local port that workload port was given), access = <c>proxyAllowedZones</c> or the default
/// audience. Rebuilt when a guest's files or the config folder change (inotify, within milliseconds) and every
/// <see cref="SafetyInterval"/> regardless; a change token fires only when the table really changed.
/// </summary>
public sealed class EmbeddedRoutes : IRouteSource, IDisposable
{
    /// <summary>How often the table is rebuilt without being told (a change a watcher missed).</summary>
    public static readonly TimeSpan SafetyInterval = TimeSpan.FromSeconds(10);

    private readonly EmbeddedPlatform _platform;
    private readonly Lock _gate = new();
    private readonly GuestFolderWatcher? _guests;
    private readonly FileSystemWatcher? _config;
    private readonly Timer _safety;
    private CancellationTokenSource _changed = new();
    private RouteTable _current = RouteTable.Empty;

    public EmbeddedRoutes(EmbeddedPlatform platform)
        : this(platform, watch: true, SafetyInterval)
    {
    }

    /// <summary>
    /// Routes rebuilt every <paramref name="interval"/>, and (with <paramref name="watch"/>) whenever the guests' files or the
    /// config folder change. Without watching this is how the proxy used to learn of changes — a poll twice a second —
    /// kept as the route benchmark's baseline.
    /// </summary>
    public EmbeddedRoutes(EmbeddedPlatform platform, bool watch, TimeSpan interval)
    {
        _platform = platform;
        var config = Path.Combine(platform.SiteFolder, "config");
        Directory.CreateDirectory(config);
        if (watch)
        {
            _guests = new GuestFolderWatcher(platform.Runtime.GuestsDir);
            _guests.Changed += Coalesce;
            _config = new FileSystemWatcher(config, "*.json") { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
            _config.Changed += (_, _) => Coalesce();
            _config.Created += (_, _) => Coalesce();
            _config.Deleted += (_, _) => Coalesce();
            _config.Renamed += (_, _) => Coalesce();
            _config.EnableRaisingEvents = true;
        }

        _safety = new Timer(_ => Refresh(), null, interval, interval);
        Refresh();
    }

    /// <summary>How many times the table was rebuilt (for the benchmark's idle cost).</summary>
    public long Rebuilds => Interlocked.Read(ref _rebuilds);

    private long _rebuilds;

    public RouteTable Current => Volatile.Read(ref _current);

    public IChangeToken GetChangeToken()
    {
        lock (_gate)
        {
            return new CancellationChangeToken(_changed.Token);
        }
    }

    public RouteTable Refresh()
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _rebuilds);
            RouteTable built;
            try
            {
                built = Build(_current.Version + 1);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return _current; // a file written while it was read: the next change or the safety timer rebuilds
            }

            if (built.SameAs(_current))
            {
                return _current;
            }

            Volatile.Write(ref _current, built);
            var fired = _changed;
            _changed = new CancellationTokenSource();
            fired.Cancel();
            fired.Dispose();
            return built;
        }
    }

    private long _requests;

    /// <summary>The least time between two rebuilds of a burst of changes.</summary>
    public static readonly TimeSpan CoalesceInterval = TimeSpan.FromMilliseconds(50);

    // A burst of file events (a hundred guests starting) costs a rebuild every CoalesceInterval at most, not one per
    // event: the first event starts a rebuild on the thread pool at once, events during it ask for one more, which
    // runs after the interval and covers them all.
    private void Coalesce()
    {
        if (Interlocked.Increment(ref _requests) == 1)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_ => Drain(), null);
        }
    }

    private void Drain()
    {
        while (true)
        {
            var seen = Interlocked.Read(ref _requests);
            Refresh();
            if (Interlocked.CompareExchange(ref _requests, 0, seen) == seen)
            {
                return;
            }

            Thread.Sleep(CoalesceInterval);
        }
    }

    public Task OpenIngressAsync(IReadOnlyList<int> ports, CancellationToken cancellationToken) => _platform.Network.SetHostPortsAsync(ports, cancellationToken);

    public void Dispose()
    {
        _safety.Dispose();
        _guests?.Dispose();
        _config?.Dispose();
        _changed.Dispose();
    }

    // Parsed once per content (under _gate): the site's files, each module's installed copy resolved, each guest's spec.
    private readonly ContentCache<ResolvedModule> _modules = new();
    private readonly ContentCache<GuestSpecFile> _specs = new();
    private SiteSnapshot? _site;
    private byte[]? _siteBytes;

    private RouteTable Build(long version)
    {
        var configDir = Path.Combine(_platform.SiteFolder, "config");
        var site = Site(configDir);
        var runtime = _platform.Runtime;
        var routes = new List<ProxyRoute>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var specs = new HashSet<string>(StringComparer.Ordinal);
        var guests = (Directory.Exists(runtime.GuestsDir) ? Directory.GetDirectories(runtime.GuestsDir) : [])
            .Select(dir => (Guest: Path.GetFileName(dir), SpecFile: Path.Combine(dir, "spec.json")))
            .Select(g => (g.Guest, Spec: specs.Add(g.SpecFile) ? _specs.Get(g.SpecFile, (_, bytes) => JsonSerializer.Deserialize(bytes, GuestJson.Default.GuestSpecFile)) : null))
            .Where(g => g.Spec is not null)
            .ToLookup(g => g.Spec!.Module, StringComparer.Ordinal);
        _specs.Keep(specs);
        foreach (var file in (Directory.Exists(configDir) ? Directory.GetFiles(configDir, "*.json") : []).Order(StringComparer.Ordinal))
        {
            var moduleName = WorkspaceLoader.ModuleName(file);
            if (moduleName is "configuration" or "zones")
            {
                continue;
            }

            seen.Add(file);
            if (_modules.Get(file, (path, bytes) => JsonSource.Parse(path, bytes).Root is JObject root ? ModuleResolver.Resolve(new ModuleDefinition(moduleName, path, root), site) : null)
                is not { } module || !module.Definition.DependsOnService("firewall:proxy"))
            {
                continue;
            }

            if (module.Proxy is not { Host: { } host } proxy)
            {
                continue;
            }

            var destinations = new List<ProxyDestination>();
            foreach (var entry in guests[module.Name].OrderBy(g => g.Guest, StringComparer.Ordinal))
            {
                var (guest, spec) = (entry.Guest, entry.Spec!);
                if (runtime.State(guest) is not { Status: "running", Ready: true } || runtime.Draining(guest))
                {
                    continue; // not ready, or retiring: out of the rotation at once
                }

                // Loopback guests listen on the port their workload port was mapped to; isolated guests on the declared one.
                var port = spec.Isolation == "none" && proxy.WorkloadPort is { } name && spec.Ports.TryGetValue(name, out var mapped) ? mapped : proxy.Port;
                destinations.Add(new ProxyDestination(guest, new Uri($"{(proxy.UpstreamTls ? "https" : "http")}://{spec.Address}:{port}/")));
            }

            routes.Add(new ProxyRoute(module.Name, host, destinations, proxy.AllowedZones ?? DefaultZones(site.Zones), proxy.UpstreamTls, proxy.Http1, proxy.PreserveHost));
        }

        _modules.Keep(seen);
        return new RouteTable(routes, Subnets(site.Zones), version);
    }

    /// <summary>The site's configuration and zones, read again only when either file changed (a change re-resolves every module).</summary>
    private SiteSnapshot Site(string configDir)
    {
        var bytes = new List<byte>();
        foreach (var file in new[] { "configuration.json", "zones.json" })
        {
            bytes.AddRange(File.Exists(Path.Combine(configDir, file)) ? File.ReadAllBytes(Path.Combine(configDir, file)) : []);
            bytes.Add(0);
        }

        if (_site is null || _siteBytes is null || !_siteBytes.AsSpan().SequenceEqual(bytes.ToArray()))
        {
            _site = SiteSnapshot.Read(configDir);
            _siteBytes = [.. bytes];
            _modules.Keep(new HashSet<string>()); // resolved against the old site: resolve them again
        }

        return _site;
    }

    /// <summary>Upstream's default audience: every active Service zone, home, work and mgmt.</summary>
    public static IReadOnlyList<string> DefaultZones(ZoneSet? zones) =>
        [.. (zones?.Zones ?? []).Where(z => z.Type == "Service" && z.State?.IsActive() == true).Select(z => z.Name).Concat(["home", "work", "mgmt"]).Distinct()];

    /// <summary>The zones' subnets, parsed once per table.</summary>
    public static IReadOnlyList<(string Zone, IPNetwork Network)> Subnets(ZoneSet? zones) =>
        [.. (zones?.Zones ?? []).Where(z => z.Ip is not null && IPNetwork.TryParse(z.Ip, out _)).Select(z => (z.Name, IPNetwork.Parse(z.Ip!)))];
}
