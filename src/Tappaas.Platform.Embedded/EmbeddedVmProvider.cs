using Tappaas.Abstractions.Providers;
using Tappaas.Abstractions.Secrets;
using Tappaas.Model.Loading;
using Tappaas.Model.Modules;
using Tappaas.Model.Zones;
using Tappaas.Platform.Embedded.Guests.Cgroups;
using Tappaas.Platform.Embedded.Network;
using Tappaas.Platform.Embedded.Guests;
using Tappaas.Model.Resolved;

namespace Tappaas.Platform.Embedded;

/// <summary>
/// <c>cluster:vm</c> on the embedded platform: each replica of the module's workload is a guest — with root, in its own
/// network namespace on the zone's bridge (address from the zone's DHCP range or the module's <c>ip</c>, hostname =
/// vmname), a container (an image's, or a confined process's) in a cgroup limited by <c>cores</c> and <c>memory</c>; without root, a
/// supervised process on loopback. Each guest has a detached supervisor, so guests outlive the CLI and daemon and are
/// found again by their state files.
/// </summary>
public sealed partial class EmbeddedVmProvider(EmbeddedPlatform platform) : IResourceProvider, ISnapshotProvider
{
    private readonly GuestRuntime _runtime = platform.Runtime;
    private readonly GuestNetwork _network = new(platform.Names);
    private readonly string _siteFolder = platform.SiteFolder;
    private readonly bool _isolate = platform.Isolate;

    /// <summary>A provider on its own platform object (tests and tools).</summary>
    public EmbeddedVmProvider(string siteFolder, bool isolate, TimeProvider time)
        : this(new EmbeddedPlatform(siteFolder, isolate, time))
    {
    }

    /// <summary>True when this host can isolate guests (root, ip, unshare).</summary>
    public static bool CanIsolate => EmbeddedPlatform.CanIsolate;

    public GuestRuntime Runtime => _runtime;

    /// <inheritdoc />
    public ProviderInfo Info => new("embedded", ProviderCapabilities.Test | ProviderCapabilities.Snapshot | ProviderCapabilities.Observe | ProviderCapabilities.Concurrent);

    /// <inheritdoc />
    public ValueTask<ReadResponse> ReadAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        // A module scaled to nothing has nothing to observe; otherwise at least one supervised guest must be there.
        var guests = _runtime.GuestsOf(request.Consumer.Name);
        var alive = guests.Count(_runtime.SupervisorAlive);
        var wanted = request.Module.Workload?.Replicas ?? WorkloadLimits.DefaultReplicas;
        return ValueTask.FromResult(new ReadResponse(alive > 0 || wanted == 0, request.Consumer.Name,
            guests.Count == 0 ? "no guest was found" : $"{alive} of its {guests.Count} guest(s) are supervised"));
    }

    /// <inheritdoc />
    public async ValueTask<OperationResult> InstallAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var module = request.Consumer;
        if (Workload(module) is not { } workload)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"module \"{module.Name}\" has no workload block; the embedded platform needs to know what to run (see docs/module-format.md)");
        }

        var missing = workload.Env.Values.SelectMany(SiteSecrets.References).Distinct().Where(n => new SiteSecrets(_siteFolder).Get(n) is null).ToList();
        if (missing.Count > 0)
        {
            return OperationResult.Fail(OperationStatus.Fatal,
                $"module \"{module.Name}\" refers to secret(s) {string.Join(", ", missing)} that the site's secret store does not hold; set each with: tappaas secret set NAME (the value is read from standard input)");
        }

        if (await DependenciesReadyAsync(module, Deadline(workload), cancellationToken) is { } waiting)
        {
            return OperationResult.Fail(OperationStatus.Fatal, waiting);
        }

        if (await PrepareImageAsync(module, request.Progress, cancellationToken) is { } imageFailed)
        {
            return imageFailed;
        }

        try
        {
            return await ConvergeAsync(module, workload, request, Zones(), cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IOException)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"cluster:vm for \"{module.Name}\": {ex.Message}");
        }
    }

    /// <inheritdoc />
    public ValueTask<OperationResult> UpdateAsync(ProviderRequest request, CancellationToken cancellationToken) => InstallAsync(request, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<OperationResult> DeleteAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var addresses = new AddressBook(_siteFolder);
        var gone = new List<string>();
        foreach (var guest in _runtime.GuestsOf(request.Consumer.Name))
        {
            await RemoveGuestAsync(guest, addresses, cancellationToken);
            gone.Add(guest);
        }

        if (_isolate && gone.Count > 0)
        {
            await platform.Network.RefreshAsync(null, request.Consumer.Name, cancellationToken);
        }

        ForgetImageModule(request.Consumer.Name); // its host ids (an image's or a confined process's)

        return OperationResult.Ok(gone.Count == 0 ? "no guests to remove" : $"removed {string.Join(", ", gone)}");
    }

    /// <inheritdoc />
    public ValueTask<OperationResult> TestAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var guests = _runtime.GuestsOf(request.Consumer.Name).Where(g => !_runtime.Draining(g)).ToList();
        var problems = guests.Select(g => (g, s: _runtime.State(g))).Where(t => t.s is not { Status: "running", Ready: true } || !_runtime.SupervisorAlive(t.g))
            .Select(t => $"{t.g}: {t.s?.Status ?? "absent"} {t.s?.Reason}".Trim()).ToList();
        return ValueTask.FromResult(problems.Count == 0
            ? OperationResult.Ok($"{guests.Count} guest(s) running and ready")
            : OperationResult.Fail(OperationStatus.Fatal, string.Join("; ", problems)));
    }

    /// <summary>
    /// The spec a guest of this definition gets; with <paramref name="provision"/> its network namespace (when its
    /// supervisor is not running) and cgroup limits are set up too — without, nothing on the host changes (comparing a
    /// running guest with the wanted definition must not put the new limits on it).
    /// </summary>
    private async Task<GuestSpecFile> PrepareAsync(ModuleDefinition module, ResolvedWorkload workload, string guest, int replica, ProviderRequest request, ZoneSet? zones,
        CancellationToken cancellationToken, bool provision = true)
    {
        var data = Path.Combine(_siteFolder, "disks", module.Name);
        Directory.CreateDirectory(data);
        var env = new Dictionary<string, string>(workload.Env) { ["TAPPAAS_MODULE"] = module.Name, ["TAPPAAS_GUEST"] = guest, ["TAPPAAS_DATA"] = data, ["TAPPAAS_REPLICA"] = replica.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var image = module.Text("imageType") == "oci";
        var workDir = Path.GetFullPath(Path.Combine(request.ConsumerFolder, image ? "." : workload.WorkingDir ?? "."));
        if (!image && workDir.Contains('\'', StringComparison.Ordinal))
        {
            throw new ArgumentException($"the working folder {workDir} contains a quote");
        }

        var args = workload.Args.ToList();
        var ports = new Dictionary<string, int>(workload.Ports);
        string address;
        string isolation;
        var cgroupMode = CgroupMode.None;
        if (_isolate)
        {
            var zone = zones?.Find(module.Zone0) ?? (module.Zone0 == ScratchZone.Name ? ScratchZone : null) ?? throw new ArgumentException($"zone \"{module.Zone0}\" is not in the site's zones.json");
            var prefix = string.Join('.', (zone.Ip ?? throw new ArgumentException($"zone \"{zone.Name}\" has no subnet")).Split('/')[0].Split('.').Take(3));
            var gateway = $"{prefix}.1";
            address = new AddressBook(_siteFolder).Allocate(guest, prefix, zone.DhcpStart, zone.DhcpEnd, replica == 0 ? module.Text("ip") : null);
            if (provision)
            {
                await _network.EnsureBridgeAsync(zone.Name, gateway, cancellationToken);
            }

            if (provision && !_runtime.SupervisorAlive(guest))
            {
                await _network.CreateAsync(guest, zone.Name, address, gateway, module.VmName, cancellationToken);
            }

            isolation = "namespaces";
            cgroupMode = Cgroup.Detect();
        }
        else
        {
            // Loopback: every port gets a free local port, passed as TAPPAAS_PORT_<NAME> and ${port:NAME} in args.
            address = "127.0.0.1";
            isolation = "none";
            foreach (var name in workload.Ports.Keys.ToList())
            {
                ports[name] = _runtime.SupervisorAlive(guest) && _runtime.Spec(guest)?.Ports.GetValueOrDefault(name) is int p and > 0 ? p : FreePort();
            }
        }

        foreach (var (name, port) in ports)
        {
            env[$"TAPPAAS_PORT_{name.ToUpperInvariant()}"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < args.Count; i++)
            {
                args[i] = args[i].Replace($"${{port:{name}}}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            }
        }

        var memory = module.Integer("memory") ?? 4096;
        var cores = (int)(module.Integer("cores") ?? 2);
        if (provision && !image && !_isolate)
        {
            new Cgroup(cgroupMode, platform.Names.Cgroup(guest)).Create(memory, cores); // a container's runtime makes its own
        }

        var spec = new GuestSpecFile
        {
            Guest = guest, Module = module.Name, Command = workload.Command ?? "", Args = args, Env = env, WorkingDir = workDir,
            Isolation = isolation, Namespace = _isolate ? _network.Namespace(guest) : null, Address = address, Hostname = module.VmName,
            CgroupMode = cgroupMode, CgroupName = platform.Names.Cgroup(guest), MemoryMiB = memory, Cores = cores, Ports = ports,
            Liveness = workload.Liveness, Readiness = workload.Readiness, Restart = workload.Restart, StopGrace = workload.StopGrace,
            SiteFolder = _siteFolder, DataDir = data, DiskLimitBytes = DiskSize.Bytes(module.Text("diskSize")), DiskCheckInterval = workload.DiskCheckInterval,
        };
        return image ? ImageGuest(spec, module, workload, provision)
            : _isolate ? ConfinedGuest(spec, Path.GetFullPath(request.ConsumerFolder), provision)
            : spec;
    }

    /// <summary>Stops a guest and removes its namespace, cgroup, address and folder.</summary>
    private async Task RemoveGuestAsync(string guest, AddressBook addresses, CancellationToken cancellationToken)
    {
        await _runtime.StopAsync(guest, cancellationToken);
        var spec = _runtime.Spec(guest);
        if (spec?.Isolation == "namespaces")
        {
            await _network.DeleteAsync(guest, cancellationToken);
        }

        new Cgroup(spec?.CgroupMode ?? CgroupMode.None, spec?.CgroupName ?? platform.Names.Cgroup(guest)).Delete();
        addresses.Release(guest);
        KeepLog(guest);
        Directory.Delete(_runtime.GuestDir(guest), recursive: true);
    }

    /// <summary>
    /// A removed guest's output stays readable (<c>tappaas logs</c> shows it as removed): why a reverted revision failed
    /// is in it. The last <see cref="KeptLogs"/> per module are kept, in <c>logs/guests/</c>.
    /// </summary>
    private void KeepLog(string guest)
    {
        var log = Path.Combine(_runtime.GuestDir(guest), "logs", "output.log");
        if (!File.Exists(log))
        {
            return;
        }

        var kept = Path.Combine(_siteFolder, "logs", "guests");
        Directory.CreateDirectory(kept);
        File.Copy(log, Path.Combine(kept, guest + ".log"), overwrite: true);
        var module = guest[..guest.LastIndexOf('-')];
        foreach (var old in new DirectoryInfo(kept).GetFiles(module + "-*.log").OrderByDescending(f => f.LastWriteTimeUtc).Skip(KeptLogs))
        {
            old.Delete();
        }
    }

    private const int KeptLogs = 8;

    /// <summary>
    /// Readiness gates dependants: a module's guests start only when every module it depends on that runs guests here
    /// has a ready guest. Returns why it could not start, or null.
    /// </summary>
    private async Task<string?> DependenciesReadyAsync(ModuleDefinition module, TimeSpan deadline, CancellationToken cancellationToken)
    {
        foreach (var dependency in module.DependsOn.Select(d => d.Module).Distinct().Where(m => m != module.Name))
        {
            var guests = _runtime.GuestsOf(dependency);
            if (guests.Count == 0)
            {
                continue; // a platform service (cluster, firewall), not a module with guests
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            while (!guests.Any(g => _runtime.State(g) is { Ready: true } && _runtime.SupervisorAlive(g)))
            {
                if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > deadline)
                {
                    var states = string.Join("; ", guests.Select(g => $"{g}: {_runtime.State(g)?.Status ?? "absent"} {_runtime.State(g)?.Reason}".Trim()));
                    return $"{module.Name} waits for {dependency}, which has no ready guest ({states}); see tappaas logs {dependency}";
                }

                await Task.Delay(100, cancellationToken);
            }
        }

        return null;
    }

    /// <summary>
    /// The zone of scratch guests (restore verification): a subnet of its own that no zone lists in access-to and that
    /// has no internet, so the site firewall drops everything it would send or receive; only the host reaches it.
    /// </summary>
    public static ZoneDefinition ScratchZone { get; } = new()
    {
        Name = "tappaasVerify", State = ZoneState.Active, Ip = "10.255.254.0/24", AccessTo = [], PinholeAllowedFrom = [], Description = "scratch guests for restore verification",
    };

    private static bool SameSpec(GuestSpecFile? running, GuestSpecFile wanted) =>
        running is not null && System.Text.Json.JsonSerializer.Serialize(running, Guests.GuestJson.Default.GuestSpecFile) == System.Text.Json.JsonSerializer.Serialize(wanted, Guests.GuestJson.Default.GuestSpecFile);

    private static TimeSpan Deadline(ResolvedWorkload w) => (w.Readiness ?? w.Liveness)?.StartGrace + TimeSpan.FromSeconds(60) ?? TimeSpan.FromSeconds(60);

    private static ResolvedWorkload? Workload(ModuleDefinition module) => ResolvedWorkload.From(module);

    private ZoneSet? Zones() => SiteFiles.Read(Path.Combine(_siteFolder, "config")).Zones;

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
