using System.Globalization;
using System.Text.Json;
using Tappaas.Platform.Proxmox.Api;

namespace Tappaas.Platform.Proxmox.Guests;

/// <summary>Calls shared by VMs (<c>qemu</c>) and containers (<c>lxc</c>), with operations on one node serialised.</summary>
internal sealed class GuestApi(PveClient client, string kind)
{
    public PveClient Client { get; } = client;

    public string Kind { get; } = kind;

    /// <summary>Runs <paramref name="action"/> while holding the node's gate (one mutating operation per node at a time).</summary>
    public async Task<T> OnNodeAsync<T>(string node, Func<Task<T>> action, CancellationToken cancellationToken)
    {
        var gate = Client.NodeGates.GetOrAdd(node, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await action();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Reserves a VMID for this process until released; false when another operation holds it.</summary>
    public bool Reserve(int vmid, string owner) => Client.ReservedIds.TryAdd(vmid, owner) || Client.ReservedIds.TryGetValue(vmid, out var o) && o == owner;

    public void Release(int vmid) => Client.ReservedIds.TryRemove(vmid, out _);

    /// <summary>The guest with this id anywhere in the cluster: (node, name, type, status), or null.</summary>
    public async Task<(string Node, string Name, string Type, string Status)?> FindAsync(int vmid, CancellationToken cancellationToken)
    {
        var resources = await Client.GetAsync("cluster/resources", new Dictionary<string, string> { ["type"] = "vm" }, cancellationToken);
        foreach (var r in resources.EnumerateArray())
        {
            if (r.TryGetProperty("vmid", out var id) && id.GetInt32() == vmid)
            {
                return (r.GetProperty("node").GetString()!, r.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "",
                    r.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "", r.TryGetProperty("status", out var s) ? s.GetString() ?? "" : "");
            }
        }

        return null;
    }

    public string Path(string node, int vmid, string rest = "") => $"nodes/{node}/{Kind}/{vmid}{rest}";

    public async Task RunTaskAsync(Task<JsonElement> call, string what, CancellationToken cancellationToken) =>
        await Client.WaitForTaskAsync(await call, what, cancellationToken);

    public Task<JsonElement> ConfigAsync(string node, int vmid, CancellationToken cancellationToken) =>
        Client.GetAsync(Path(node, vmid, "/config"), null, cancellationToken);

    public Task StartAsync(string node, int vmid, CancellationToken cancellationToken) =>
        RunTaskAsync(Client.PostAsync(Path(node, vmid, "/status/start"), null, cancellationToken), $"start of {vmid}", cancellationToken);

    public async Task StopAsync(string node, int vmid, CancellationToken cancellationToken)
    {
        var status = await Client.GetAsync(Path(node, vmid, "/status/current"), null, cancellationToken);
        if (status.TryGetProperty("status", out var s) && s.GetString() == "running")
        {
            await RunTaskAsync(Client.PostAsync(Path(node, vmid, "/status/stop"), null, cancellationToken), $"stop of {vmid}", cancellationToken);
        }
    }

    /// <summary>Stops and destroys the guest with its disks; absent guests are fine.</summary>
    public async Task DestroyAsync(string node, int vmid, CancellationToken cancellationToken)
    {
        await StopAsync(node, vmid, cancellationToken);
        var query = new Dictionary<string, string> { ["purge"] = "1", ["destroy-unreferenced-disks"] = "1" };
        await RunTaskAsync(Client.DeleteAsync(Path(node, vmid), query, cancellationToken), $"destroy of {vmid}", cancellationToken);
    }

    public async Task<bool> IsRunningAsync(string node, int vmid, CancellationToken cancellationToken)
    {
        var status = await Client.GetAsync(Path(node, vmid, "/status/current"), null, cancellationToken);
        return status.TryGetProperty("status", out var s) && s.GetString() == "running";
    }

    /// <summary>Desired config keys whose live value differs (NICs compared without their MAC, memory without its key).</summary>
    public static Dictionary<string, string> Drift(JsonElement live, IReadOnlyDictionary<string, string> desired)
    {
        var changes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in desired)
        {
            var current = live.TryGetProperty(key, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null;
            if (!Same(key, current, value))
            {
                changes[key] = key.StartsWith("net", StringComparison.Ordinal) ? KeepMac(current, value) : value;
            }
        }

        return changes;
    }

    private static bool Same(string key, string? current, string desired)
    {
        if (current is null)
        {
            return false;
        }

        if (key == "memory")
        {
            return current.Replace("current=", "", StringComparison.Ordinal) == desired;
        }

        if (key.StartsWith("net", StringComparison.Ordinal))
        {
            return Strip(current) == Strip(desired);
        }

        return current == desired;
    }

    // The live NIC reads "virtio=AA:BB:…,bridge=lan,tag=210"; compare bridge, tag and trunks only.
    private static string Strip(string net) => string.Join(',', net.Split(',').Where(p => p.StartsWith("bridge=", StringComparison.Ordinal) || p.StartsWith("tag=", StringComparison.Ordinal) || p.StartsWith("trunks=", StringComparison.Ordinal)).Order(StringComparer.Ordinal));

    private static string KeepMac(string? current, string desired)
    {
        var mac = current?.Split(',').Select(p => p.Split('=')).FirstOrDefault(kv => kv.Length == 2 && kv[1].Count(c => c == ':') == 5);
        return mac is null || desired.Contains("macaddr=", StringComparison.Ordinal) || desired.Contains("hwaddr=", StringComparison.Ordinal)
            ? desired
            : desired.Replace("virtio,", $"virtio={mac[1]},", StringComparison.Ordinal);
    }

    /// <summary>The size of a disk from its config property string (<c>…,size=32G</c>), in GiB.</summary>
    public static double DiskGib(JsonElement config, string disk) =>
        config.TryGetProperty(disk, out var d) && d.GetString() is { } text
            ? GuestSpec.Gib(text.Split(',').FirstOrDefault(p => p.StartsWith("size=", StringComparison.Ordinal))?[5..])
            : 0;

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
