using System.Globalization;
using System.Text.Json.Nodes;

namespace Tappaas.Platform.Proxmox.Tests.Simulator;

public sealed partial class PveSimulator
{
    private long _clock = 1_700_000_000;

    private JsonNode? Route(string method, string template, Dictionary<string, string> v, Dictionary<string, string> p)
    {
        var node = v.GetValueOrDefault("node") ?? "";
        var vmid = v.TryGetValue("vmid", out var id) ? int.Parse(id, CultureInfo.InvariantCulture) : 0;
        var kind = template.Contains("/lxc", StringComparison.Ordinal) ? "lxc" : "qemu";
        switch (method, template)
        {
            case ("GET", "/nodes"):
                return new JsonArray([.. Nodes.Select(n => (JsonNode)new JsonObject { ["node"] = n, ["status"] = "online", ["cpu"] = 0.05, ["maxcpu"] = 8, ["mem"] = 4L << 30, ["maxmem"] = 32L << 30 })]);
            case ("GET", "/cluster/resources"):
                return new JsonArray([.. Guests.Values.OrderBy(g => g.VmId).Select(g => (JsonNode)new JsonObject
                {
                    ["vmid"] = g.VmId, ["name"] = g.Name, ["node"] = g.Node, ["type"] = g.Type, ["status"] = g.Status, ["template"] = g.Template ? 1 : 0,
                })]);
            case ("GET", "/nodes/{node}/tasks/{upid}/status"):
                {
                    var t = Tasks.GetValueOrDefault(v["upid"]) ?? throw new SimError(404, "no such task");
                    var o = new JsonObject { ["status"] = t.Status, ["upid"] = t.Upid, ["node"] = t.Node };
                    if (t.Status == "stopped")
                    {
                        o["exitstatus"] = t.ExitStatus;
                    }

                    return o;
                }

            case ("GET", "/nodes/{node}/tasks/{upid}/log"):
                return new JsonArray([.. (Tasks.GetValueOrDefault(v["upid"])?.Log ?? []).Select((l, i) => (JsonNode)new JsonObject { ["n"] = i + 1, ["t"] = l })]);
            case ("POST", "/nodes/{node}/qemu/{vmid}/clone"):
                {
                    var source = GuestOn(node, vmid);
                    var newid = int.Parse(p["newid"], CultureInfo.InvariantCulture);
                    if (Guests.ContainsKey(newid))
                    {
                        return NewTask(node, "qmclone", $"{vmid}", ok: false, exit: $"unable to create VM {newid}: config file already exists");
                    }

                    var clone = new Guest(newid, node, p.GetValueOrDefault("name") ?? $"Copy-of-VM-{source.Name}", "qemu");
                    foreach (var (k, val) in source.Config)
                    {
                        clone.Config[k] = k == "scsi0" ? val.Replace($"base-{vmid}", $"vm-{newid}", StringComparison.Ordinal) : val;
                    }

                    clone.Config["name"] = clone.Name;
                    Guests[newid] = clone;
                    return NewTask(node, "qmclone", $"{vmid}");
                }

            case ("POST", "/nodes/{node}/qemu"):
            case ("POST", "/nodes/{node}/lxc"):
                {
                    var newid = int.Parse(p["vmid"], CultureInfo.InvariantCulture);
                    if (Guests.ContainsKey(newid) && p.GetValueOrDefault("force") != "1")
                    {
                        return NewTask(node, kind == "lxc" ? "vzcreate" : "qmcreate", $"{newid}", ok: false, exit: $"unable to create VM {newid}: config file already exists");
                    }

                    // A restore from an archive brings back the backed-up guest's name and config.
                    var restoredName = p.ContainsKey("archive") && Guests.TryGetValue(newid, out var old) ? old.Name : null;
                    var g = new Guest(newid, node, p.GetValueOrDefault("name") ?? p.GetValueOrDefault("hostname") ?? restoredName ?? $"VM {newid}", kind);
                    foreach (var (k, val) in p.Where(kv => kv.Key is not ("vmid" or "node" or "ostemplate" or "archive" or "force" or "unprivileged" or "start")))
                    {
                        g.Config[k] = val.Contains(":0,import-from", StringComparison.Ordinal) ? val.Split(',')[0].Replace(":0", $":vm-{newid}-disk-0", StringComparison.Ordinal) + ",size=2G" : val;
                    }

                    if (kind == "lxc" && p.TryGetValue("rootfs", out var rootfs))
                    {
                        g.Config["rootfs"] = $"{rootfs.Split(':')[0]}:subvol-{newid}-disk-0,size={rootfs.Split(':')[1]}G";
                    }

                    Guests[newid] = g;
                    return NewTask(node, kind == "lxc" ? "vzcreate" : "qmcreate", $"{newid}");
                }

            case ("GET", "/nodes/{node}/qemu/{vmid}/config"):
            case ("GET", "/nodes/{node}/lxc/{vmid}/config"):
                return new JsonObject([.. GuestOn(node, vmid).Config.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]);
            case ("PUT", "/nodes/{node}/qemu/{vmid}/config"):
            case ("PUT", "/nodes/{node}/lxc/{vmid}/config"):
                {
                    var g = GuestOn(node, vmid);
                    foreach (var (k, val) in p.Where(kv => kv.Key is not ("node" or "vmid")))
                    {
                        g.Config[k] = val;
                        if (k is "name" or "hostname")
                        {
                            g.Name = val;
                        }
                    }

                    return null;
                }

            case ("PUT", "/nodes/{node}/qemu/{vmid}/cloudinit"):
                GuestOn(node, vmid);
                return null;
            case ("PUT", "/nodes/{node}/qemu/{vmid}/resize"):
                {
                    var g = GuestOn(node, vmid);
                    var disk = p["disk"];
                    g.Config[disk] = g.Config.TryGetValue(disk, out var d) ? string.Join(',', d.Split(',').Where(x => !x.StartsWith("size=", StringComparison.Ordinal)).Append($"size={p["size"]}")) : $"tanka1:vm-{vmid}-disk-0,size={p["size"]}";
                    return NewTask(node, "resize", $"{vmid}");
                }

            case ("POST", "/nodes/{node}/qemu/{vmid}/status/start"):
            case ("POST", "/nodes/{node}/lxc/{vmid}/status/start"):
                GuestOn(node, vmid).Status = "running";
                return NewTask(node, kind == "lxc" ? "vzstart" : "qmstart", $"{vmid}");
            case ("POST", "/nodes/{node}/qemu/{vmid}/status/stop"):
            case ("POST", "/nodes/{node}/lxc/{vmid}/status/stop"):
                GuestOn(node, vmid).Status = "stopped";
                return NewTask(node, kind == "lxc" ? "vzstop" : "qmstop", $"{vmid}");
            case ("GET", "/nodes/{node}/qemu/{vmid}/status/current"):
            case ("GET", "/nodes/{node}/lxc/{vmid}/status/current"):
                {
                    var g = GuestOn(node, vmid);
                    return new JsonObject { ["status"] = g.Status, ["vmid"] = vmid, ["name"] = g.Name };
                }

            case ("POST", "/nodes/{node}/qemu/{vmid}/agent/ping"):
                return GuestOn(node, vmid).Status == "running" ? new JsonObject() : throw new SimError(500, "QEMU guest agent is not running");
            case ("DELETE", "/nodes/{node}/qemu/{vmid}"):
            case ("DELETE", "/nodes/{node}/lxc/{vmid}"):
                {
                    var g = GuestOn(node, vmid);
                    if (g.Status == "running")
                    {
                        return NewTask(node, "qmdestroy", $"{vmid}", ok: false, exit: $"VM {vmid} is running - destroy failed");
                    }

                    Guests.Remove(vmid);
                    return NewTask(node, kind == "lxc" ? "vzdestroy" : "qmdestroy", $"{vmid}");
                }

            case ("POST", "/nodes/{node}/qemu/{vmid}/migrate"):
                {
                    var g = GuestOn(node, vmid);
                    if (!Nodes.Contains(p["target"]))
                    {
                        return NewTask(node, "qmigrate", $"{vmid}", ok: false, exit: $"no such cluster node '{p["target"]}'");
                    }

                    if (g.Status == "running" && p.GetValueOrDefault("online") != "1")
                    {
                        return NewTask(node, "qmigrate", $"{vmid}", ok: false, exit: "can't migrate running VM without --online");
                    }

                    g.Node = p["target"];
                    return NewTask(node, "qmigrate", $"{vmid}");
                }

            case ("GET", "/nodes/{node}/qemu/{vmid}/snapshot"):
                return new JsonArray([.. GuestOn(node, vmid).Snapshots.Select(s => (JsonNode)new JsonObject { ["name"] = s.Name, ["snaptime"] = s.Time }),
                    new JsonObject { ["name"] = "current", ["description"] = "You are here!" }]);
            case ("POST", "/nodes/{node}/qemu/{vmid}/snapshot"):
                GuestOn(node, vmid).Snapshots.Add((p["snapname"], _clock++));
                return NewTask(node, "qmsnapshot", $"{vmid}");
            case ("DELETE", "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}"):
                GuestOn(node, vmid).Snapshots.RemoveAll(s => s.Name == v["snapname"]);
                return NewTask(node, "qmdelsnapshot", $"{vmid}");
            case ("POST", "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback"):
                {
                    var g = GuestOn(node, vmid);
                    if (!g.Snapshots.Any(s => s.Name == v["snapname"]))
                    {
                        return NewTask(node, "qmrollback", $"{vmid}", ok: false, exit: $"snapshot '{v["snapname"]}' does not exist");
                    }

                    g.Status = p.GetValueOrDefault("start") == "1" ? "running" : "stopped";
                    return NewTask(node, "qmrollback", $"{vmid}");
                }

            case ("POST", "/nodes/{node}/storage/{storage}/download-url"):
                return NewTask(node, "download", p["filename"]);
            default:
                var (handled, data) = ClusterRoute(method, template, v, p);
                return handled ? data : throw new SimError(501, $"the simulator does not implement {method} {template}");
        }
    }

    private Guest GuestOn(string node, int vmid)
    {
        if (!Guests.TryGetValue(vmid, out var g))
        {
            throw new SimError(500, $"Configuration file 'nodes/{node}/qemu-server/{vmid}.conf' does not exist");
        }

        return g.Node == node ? g : throw new SimError(500, $"VM {vmid} is on {g.Node}, not {node}");
    }
}
