using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tappaas.Platform.Proxmox.Tests.Simulator;

/// <summary>
/// An in-process Proxmox VE built from the vendor schema: every request is first checked against
/// <see cref="PveSchema"/> and rejected with 400 as the real server would; valid requests act on simulated state
/// (nodes, VMs, containers, tasks, HA resources and rules, replication and backup jobs, snapshots). Failures can be
/// scripted: a task that ends with an error, one that never ends, an HTTP 500, a lock that is held.
/// </summary>
public sealed partial class PveSimulator : HttpMessageHandler
{
    private readonly Lock _gate = new();
    private int _pid = 0x1000;

    public PveSimulator(params string[] nodes)
    {
        Nodes = [.. (nodes.Length == 0 ? ["pve1", "pve2", "pve3"] : nodes)];
    }

    /// <summary>Every request, in order: "METHOD /path" with its parameters.</summary>
    public List<(string Call, string Template, Dictionary<string, string> Parameters)> Calls { get; } = [];

    /// <summary>Requests the schema rejected.</summary>
    public List<(string Call, List<string> Errors)> Rejected { get; } = [];

    /// <summary>Scripted failures, consumed in order by the first matching call.</summary>
    public List<Fault> Faults { get; } = [];

    public List<string> Nodes { get; }

    public Dictionary<int, Guest> Guests { get; } = [];

    public Dictionary<string, SimTask> Tasks { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, JsonObject> HaResources { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, JsonObject> HaRules { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, JsonObject> Replication { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, JsonObject> BackupJobs { get; } = new(StringComparer.Ordinal);

    /// <summary>Calls as "METHOD /concrete/path", for exact-sequence assertions (reads of task status omitted).</summary>
    public List<string> Mutations => [.. Calls.Select(c => c.Call).Where(c => !c.StartsWith("GET ", StringComparison.Ordinal))];

    /// <summary>Adds a template VM.</summary>
    public Guest AddTemplate(int vmid, string node, string name = "tappaas-nixos")
    {
        var g = new Guest(vmid, node, name, "qemu") { Template = true, Status = "stopped" };
        g.Config["scsi0"] = "tanka1:base-8080-disk-0,size=8G";
        g.Config["net0"] = "virtio=BC:24:11:00:00:01,bridge=lan";
        Guests[vmid] = g;
        return g;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        const string prefix = "/api2/json";
        path = path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : path;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in Parse(request.RequestUri.Query.TrimStart('?')))
        {
            parameters[k] = v;
        }

        if (request.Content is not null)
        {
            foreach (var (k, v) in Parse(await request.Content.ReadAsStringAsync(cancellationToken)))
            {
                parameters.TryAdd(k, v); // query wins over body, as the server merges them
            }
        }

        var method = request.Method.Method;
        var auth = request.Headers.Authorization;
        if (auth is null || auth.Scheme != "PVEAPIToken" || auth.Parameter?.Contains('=', StringComparison.Ordinal) != true || !auth.Parameter.Contains('!', StringComparison.Ordinal))
        {
            return Json(HttpStatusCode.Unauthorized, new JsonObject { ["data"] = null });
        }

        lock (_gate)
        {
            var call = $"{method} {path}";
            var match = PveSchema.Instance.Match(path);
            Calls.Add((call, match?.Template ?? path, parameters));
            var errors = PveSchema.Instance.Validate(method, path, parameters);
            if (errors.Count > 0)
            {
                Rejected.Add((call, errors));
                var body = new JsonObject { ["data"] = null, ["errors"] = new JsonObject(errors.Select(e => KeyValuePair.Create(e.Split(':')[0], (JsonNode?)e))) };
                return Json(HttpStatusCode.BadRequest, body);
            }

            var vars = match!.Value.Vars;
            if (Faults.FirstOrDefault(f => f.Matches(method, match.Value.Template)) is { } fault)
            {
                Faults.Remove(fault);
                if (fault.Kind == FaultKind.Http500)
                {
                    return Json(HttpStatusCode.InternalServerError, new JsonObject { ["data"] = null, ["message"] = fault.Message });
                }

                if (fault.Kind == FaultKind.LockHeld)
                {
                    return Json(HttpStatusCode.InternalServerError, new JsonObject { ["data"] = null, ["message"] = $"can't lock file '/var/lock/qemu-server/lock-{vars.GetValueOrDefault("vmid")}.conf' - got timeout" });
                }

                return Ok(FailedTask(vars.GetValueOrDefault("node") ?? Nodes[0], fault));
            }

            try
            {
                return Ok(Route(method, match.Value.Template, vars, parameters));
            }
            catch (SimError ex)
            {
                return Json((HttpStatusCode)ex.Status, new JsonObject { ["data"] = null, ["message"] = ex.Message });
            }
        }
    }

    private static IEnumerable<(string, string)> Parse(string text) =>
        text.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Select(kv => (Uri.UnescapeDataString(kv[0]), kv.Length > 1 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : ""));

    private static HttpResponseMessage Ok(JsonNode? data) => Json(HttpStatusCode.OK, new JsonObject { ["data"] = data });

    private static HttpResponseMessage Json(HttpStatusCode status, JsonObject body) =>
        new(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), ReasonPhrase = status.ToString() };

    private string NewTask(string node, string type, string id, bool ok = true, string exit = "OK", bool running = false)
    {
        var upid = $"UPID:{node}:{_pid++:X8}:0001A2B3:6924E1B9:{type}:{id}:root@pam!tappaas:";
        Tasks[upid] = new SimTask(upid, node, running ? "running" : "stopped", ok ? "OK" : exit, [$"starting {type} {id}", ok ? "TASK OK" : $"TASK ERROR: {exit}"]);
        return upid;
    }

    private JsonNode FailedTask(string node, Fault fault) =>
        fault.Kind == FaultKind.TaskNeverEnds ? NewTask(node, "qmtask", "0", running: true) : NewTask(node, "qmtask", "0", ok: false, exit: fault.Message);
}

/// <summary>A simulated guest.</summary>
public sealed class Guest(int vmid, string node, string name, string type)
{
    public int VmId { get; } = vmid;
    public string Node { get; set; } = node;
    public string Name { get; set; } = name;
    public string Type { get; } = type;
    public string Status { get; set; } = "stopped";
    public bool Template { get; set; }
    public Dictionary<string, string> Config { get; } = new(StringComparer.Ordinal);
    public List<(string Name, long Time)> Snapshots { get; } = [];
}

/// <summary>A simulated worker task.</summary>
public sealed record SimTask(string Upid, string Node, string Status, string ExitStatus, List<string> Log);

public enum FaultKind { TaskError, TaskNeverEnds, Http500, LockHeld }

/// <summary>A scripted failure for the first call matching <see cref="Method"/> and <see cref="Template"/>.</summary>
public sealed record Fault(string Method, string Template, FaultKind Kind, string Message = "simulated failure")
{
    public bool Matches(string method, string template) => method == Method && template == Template;
}

internal sealed class SimError(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
