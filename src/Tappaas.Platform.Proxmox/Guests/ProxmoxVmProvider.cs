using Tappaas.Abstractions.Providers;
using Tappaas.Platform.Proxmox.Api;

namespace Tappaas.Platform.Proxmox.Guests;

/// <summary>
/// <c>cluster:vm</c> on Proxmox VE: clone a template or import an image, configure CPU, memory, NICs (VLAN tag of
/// the zone, trunks), cloud-init, grow the disk, start, wait for the guest agent. Reads before it creates (a VM
/// with the module's id and name is adopted), reconciles drift on update, and destroys a half-created VM when a
/// later step fails.
/// </summary>
public sealed partial class ProxmoxVmProvider(PveClient client, TimeProvider time) : IResourceProvider, ISnapshotProvider
{
    private readonly GuestApi _api = new(client, "qemu");

    /// <inheritdoc />
    public ProviderInfo Info => new("proxmox", ProviderCapabilities.Snapshot | ProviderCapabilities.Test | ProviderCapabilities.Observe);

    /// <inheritdoc />
    public async ValueTask<ReadResponse> ReadAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var spec = Spec(request);
        var found = await _api.FindAsync(spec.VmId, cancellationToken);
        return new ReadResponse(found is { Name: var n } && n == spec.Name, spec.Name, found is null ? "absent" : $"{found.Value.Type} {found.Value.Name} on {found.Value.Node}, {found.Value.Status}");
    }

    /// <inheritdoc />
    public ValueTask<OperationResult> InstallAsync(ProviderRequest request, CancellationToken cancellationToken) => Guard(request, async spec =>
    {
        var found = await _api.FindAsync(spec.VmId, cancellationToken);
        if (found is { } f && f.Name != spec.Name)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"VMID {spec.VmId} is taken by \"{f.Name}\" on {f.Node}; module \"{request.Consumer.Name}\" needs its own id");
        }

        if (found is not null)
        {
            return await ConvergeAsync(spec, found.Value.Node, cancellationToken, $"VM {spec.VmId} ({spec.Name}) exists; adopted and converged");
        }

        if (!_api.Reserve(spec.VmId, request.Consumer.Name))
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"VMID {spec.VmId} is being created by another operation right now");
        }

        try
        {
            await CreateAsync(spec, cancellationToken);
            try
            {
                return await ConvergeAsync(spec, spec.Node, cancellationToken, $"created VM {spec.VmId} ({spec.Name}) on {spec.Node}");
            }
            catch (Exception ex) when (ex is PveApiException or ArgumentException)
            {
                await CleanUpAsync(spec, cancellationToken);
                throw;
            }
        }
        catch (PveApiException)
        {
            await CleanUpAsync(spec, cancellationToken); // a clone or create that failed half-way may leave a VM behind
            throw;
        }
        finally
        {
            _api.Release(spec.VmId);
        }
    }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<OperationResult> UpdateAsync(ProviderRequest request, CancellationToken cancellationToken) => Guard(request, async spec =>
    {
        var found = await _api.FindAsync(spec.VmId, cancellationToken);
        if (found is null)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"VM {spec.VmId} ({spec.Name}) does not exist; install the module first");
        }

        var node = found.Value.Node;
        if (node != spec.Node && !request.Consumer.DependsOnService("cluster:ha"))
        {
            var from = node;
            await _api.OnNodeAsync(from, async () => { await MigrateAsync(spec.VmId, from, spec.Node, online: found.Value.Status == "running", cancellationToken); return true; }, cancellationToken);
            node = spec.Node;
        }

        return await ConvergeAsync(spec, node, cancellationToken, $"VM {spec.VmId} converged");
    }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<OperationResult> DeleteAsync(ProviderRequest request, CancellationToken cancellationToken) => Guard(request, async spec =>
    {
        var vmid = int.TryParse(request.Flags.VmIdOverride, out var over) ? over : spec.VmId;
        if (await _api.FindAsync(vmid, cancellationToken) is not { } found)
        {
            return OperationResult.Ok($"VM {vmid} does not exist; nothing to delete");
        }

        if (found.Name != spec.Name && request.Flags.VmIdOverride is null)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"VM {vmid} is \"{found.Name}\", not \"{spec.Name}\"; refusing to destroy another module's guest");
        }

        await _api.OnNodeAsync(found.Node, async () => { await _api.DestroyAsync(found.Node, vmid, cancellationToken); return true; }, cancellationToken);
        return OperationResult.Ok($"destroyed VM {vmid} ({found.Name}) on {found.Node}");
    }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<OperationResult> TestAsync(ProviderRequest request, CancellationToken cancellationToken) => Guard(request, async spec =>
    {
        if (await _api.FindAsync(spec.VmId, cancellationToken) is not { } found)
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"VM {spec.VmId} ({spec.Name}) does not exist");
        }

        return found.Status == "running"
            ? OperationResult.Ok($"VM {spec.VmId} runs on {found.Node}")
            : OperationResult.Fail(OperationStatus.Fatal, $"VM {spec.VmId} ({spec.Name}) is {found.Status} on {found.Node}");
    }, cancellationToken);

    private async Task CreateAsync(GuestSpec spec, CancellationToken cancellationToken)
    {
        switch (spec.ImageType)
        {
            case "clone":
                {
                    var template = int.TryParse(spec.Image, out var t) ? t : throw new ArgumentException($"image \"{spec.Image}\" is not a template VMID (imageType clone)");
                    var source = await _api.FindAsync(template, cancellationToken) ?? throw new ArgumentException($"template VM {template} was not found in the cluster; build it first");
                    await _api.OnNodeAsync(source.Node, async () =>
                    {
                        await _api.RunTaskAsync(client.PostAsync(_api.Path(source.Node, template, "/clone"), new Dictionary<string, string>
                        {
                            ["newid"] = GuestApi.Text(spec.VmId), ["name"] = spec.Name, ["full"] = "1",
                        }, cancellationToken), $"clone of template {template} to {spec.VmId}", cancellationToken);
                        if (source.Node != spec.Node)
                        {
                            await MigrateAsync(spec.VmId, source.Node, spec.Node, online: false, cancellationToken);
                        }

                        return true;
                    }, cancellationToken);
                    break;
                }

            case "img":
            case "iso":
                await _api.OnNodeAsync(spec.Node, async () =>
                {
                    var source = await ImageSourceAsync(spec, cancellationToken);
                    var form = new Dictionary<string, string>
                    {
                        ["vmid"] = GuestApi.Text(spec.VmId), ["name"] = spec.Name, ["scsihw"] = "virtio-scsi-pci", ["serial0"] = "socket",
                    };
                    if (spec.ImageType == "img")
                    {
                        form["scsi0"] = $"{spec.Storage}:0,import-from={source}";
                        form["boot"] = "order=scsi0";
                    }
                    else
                    {
                        form["ide2"] = $"{source},media=cdrom";
                        form["scsi0"] = $"{spec.Storage}:{Math.Max(1, (int)GuestSpec.Gib(spec.DiskSize ?? "8G"))}";
                        form["boot"] = "order=scsi0;ide2";
                    }

                    await _api.RunTaskAsync(client.PostAsync($"nodes/{spec.Node}/qemu", form, cancellationToken), $"creation of VM {spec.VmId}", cancellationToken);
                    return true;
                }, cancellationToken);
                break;
            default:
                throw new ArgumentException($"imageType \"{spec.ImageType}\" cannot make a VM (use clone, img or iso)");
        }
    }

    /// <summary>Where the node finds the image: an absolute path as is, a URL downloaded into the node's local storage first.</summary>
    private async Task<string> ImageSourceAsync(GuestSpec spec, CancellationToken cancellationToken)
    {
        var location = spec.ImageLocation ?? throw new ArgumentException($"imageType {spec.ImageType} needs imageLocation");
        if (location.StartsWith('/'))
        {
            return spec.ImageType == "img" ? Path.Combine(location, spec.Image) : $"local:iso/{spec.Image}";
        }

        var content = spec.ImageType == "img" ? "import" : "iso";
        await _api.RunTaskAsync(client.PostAsync($"nodes/{spec.Node}/storage/local/download-url", new Dictionary<string, string>
        {
            ["content"] = content, ["filename"] = spec.Image, ["url"] = location.TrimEnd('/') + "/" + spec.Image,
        }, cancellationToken), $"download of {spec.Image}", cancellationToken);
        return $"local:{content}/{spec.Image}";
    }

    private async Task<OperationResult> ConvergeAsync(GuestSpec spec, string node, CancellationToken cancellationToken, string done)
    {
        return await _api.OnNodeAsync(node, async () =>
        {
            var live = await _api.ConfigAsync(node, spec.VmId, cancellationToken);
            var changes = GuestApi.Drift(live, spec.Config);
            if (changes.Count > 0)
            {
                await client.PutAsync(_api.Path(node, spec.VmId, "/config"), changes, cancellationToken);
                if (changes.ContainsKey("ciuser") || changes.ContainsKey("ipconfig0"))
                {
                    await client.PutAsync(_api.Path(node, spec.VmId, "/cloudinit"), null, cancellationToken);
                }
            }

            if (spec.DiskSize is { } size && GuestSpec.Gib(size) > GuestApi.DiskGib(live, "scsi0") + 0.001)
            {
                await _api.RunTaskAsync(client.PutAsync(_api.Path(node, spec.VmId, "/resize"), new Dictionary<string, string> { ["disk"] = "scsi0", ["size"] = size }, cancellationToken),
                    $"disk resize of {spec.VmId} to {size}", cancellationToken);
            }

            if (spec.Start && spec.ImageType != "iso" && !await _api.IsRunningAsync(node, spec.VmId, cancellationToken))
            {
                await _api.StartAsync(node, spec.VmId, cancellationToken);
                if (spec.WaitForAgent)
                {
                    await WaitForAgentAsync(node, spec.VmId, cancellationToken);
                }
            }

            return OperationResult.Ok(changes.Count == 0 ? done : $"{done}; changed {string.Join(", ", changes.Keys.Order(StringComparer.Ordinal))}");
        }, cancellationToken);
    }

    private async Task WaitForAgentAsync(string node, int vmid, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + client.Options.AgentTimeout;
        while (true)
        {
            try
            {
                await client.PostAsync(_api.Path(node, vmid, "/agent/ping"), null, cancellationToken);
                return;
            }
            catch (PveApiException) when (time.GetUtcNow() < deadline)
            {
                await Task.Delay(client.Options.PollInterval, time, cancellationToken);
            }
        }
    }

    private async Task MigrateAsync(int vmid, string from, string to, bool online, CancellationToken cancellationToken) =>
        await _api.RunTaskAsync(client.PostAsync(_api.Path(from, vmid, "/migrate"), new Dictionary<string, string>
        {
            ["target"] = to, ["online"] = online ? "1" : "0", ["with-local-disks"] = "1",
        }, cancellationToken), $"migration of {vmid} from {from} to {to}", cancellationToken);

    private async Task CleanUpAsync(GuestSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            if (await _api.FindAsync(spec.VmId, cancellationToken) is { } half && half.Name == spec.Name)
            {
                await _api.DestroyAsync(half.Node, spec.VmId, cancellationToken);
            }
        }
        catch (PveApiException)
        {
            // The original failure is what the operator needs; a failed clean-up shows in the next read.
        }
    }

    private static GuestSpec Spec(ProviderRequest request) => GuestSpec.For(request.Consumer, ProxmoxSite.Load(request.SiteFolder), lxc: false);

    private static ValueTask<OperationResult> Guard(ProviderRequest request, Func<GuestSpec, Task<OperationResult>> body, CancellationToken cancellationToken) =>
        ProviderGuard.RunAsync("cluster:vm", request, () => body(Spec(request)), cancellationToken);
}
