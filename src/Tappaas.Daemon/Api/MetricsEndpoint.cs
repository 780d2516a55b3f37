using System.Globalization;
using System.Text;
using Tappaas.Composition;
using Tappaas.Platform.Embedded.Backup;
using Tappaas.Platform.Embedded.Cgroups;

namespace Tappaas.Daemon.Api;

/// <summary>
/// <c>GET /metrics</c> in Prometheus text format (a viewer token, as Prometheus' <c>authorization</c> setting sends):
/// every guest's state, readiness, restarts, memory, CPU time and disk use; the last runs' durations and statuses;
/// every module's last backup and restore verification; the reverse proxy's requests, errors, time and retries per module.
/// </summary>
internal static class MetricsEndpoint
{
    public static async Task<IResult> RenderAsync(SiteSession site, Proxy.ProxyStats proxy, CancellationToken cancellationToken)
    {
        var b = new StringBuilder();
        var runtime = site.Providers.Embedded.Runtime;
        var guests = runtime.All().Select(g => (g.Guest, g.Spec, State: runtime.State(g.Guest), Alive: runtime.SupervisorAlive(g.Guest))).ToList();
        string L((string Guest, Platform.Embedded.Runtime.GuestSpecFile Spec, Platform.Embedded.Runtime.GuestState? State, bool Alive) g) =>
            $"{{guest=\"{g.Guest}\",module=\"{g.Spec.Module}\"}}";

        Family(b, "tappaas_guest_up", "1 when the guest's workload runs under a live supervisor.", "gauge",
            guests.Select(g => (L(g), g.Alive && g.State?.Status == "running" ? 1.0 : 0.0)));
        Family(b, "tappaas_guest_ready", "1 when the guest passes its readiness check.", "gauge", guests.Select(g => (L(g), g.State?.Ready == true ? 1.0 : 0.0)));
        Family(b, "tappaas_guest_restarts_total", "Restarts of the guest by its supervisor.", "counter", guests.Select(g => (L(g), (double)(g.State?.Restarts ?? 0))));
        Family(b, "tappaas_guest_memory_bytes", "Memory the guest's cgroup uses.", "gauge",
            guests.Where(g => g.Spec.CgroupMode != CgroupMode.None).Select(g => (L(g), (double)new Cgroup(g.Spec.CgroupMode, g.Spec.CgroupName).MemoryBytes())));
        Family(b, "tappaas_guest_cpu_seconds_total", "CPU time the guest's processes used.", "counter",
            guests.Where(g => g.Spec.CgroupMode != CgroupMode.None).Select(g => (L(g), new Cgroup(g.Spec.CgroupMode, g.Spec.CgroupName).CpuSeconds())));
        Family(b, "tappaas_guest_disk_bytes", "Bytes on the guest's disk at the last measurement.", "gauge", guests.Select(g => (L(g), (double)(g.State?.DiskBytes ?? 0))));

        var runs = await site.Store.ListAppliesAsync(20, cancellationToken);
        var durations = new List<(string, double)>();
        foreach (var run in runs.GroupBy(r => r.Command).Select(g => g.OrderByDescending(r => r.Id).First()))
        {
            var journal = await site.Store.ReadJournalAsync(run.Id, cancellationToken);
            if (journal.Count > 0)
            {
                durations.Add(($"{{command=\"{run.Command}\",status=\"{run.Status}\"}}", (journal[^1].At - run.StartedAt).TotalSeconds));
            }
        }

        Family(b, "tappaas_apply_last_duration_seconds", "How long the last run of each command took (first to last journal line).", "gauge", durations);
        Family(b, "tappaas_apply_runs", "Runs among the last 20, by status.", "gauge",
            runs.GroupBy(r => r.Status).Select(g => ($"{{status=\"{g.Key}\"}}", (double)g.Count())));

        var served = proxy.All().OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        Family(b, "tappaas_proxy_requests_total", "Requests the reverse proxy answered for the module.", "counter", served.Select(kv => ($"{{module=\"{kv.Key}\"}}", (double)kv.Value.Requests)));
        Family(b, "tappaas_proxy_server_errors_total", "Of those, answered with a 5xx status.", "counter", served.Select(kv => ($"{{module=\"{kv.Key}\"}}", (double)kv.Value.ServerErrors)));
        Family(b, "tappaas_proxy_request_seconds_total", "Time spent on the module's requests (divide by the requests for the mean latency).", "counter",
            served.Select(kv => ($"{{module=\"{kv.Key}\"}}", kv.Value.Seconds)));
        Family(b, "tappaas_proxy_retries_total", "Requests sent to another guest after the first failed before answering.", "counter", served.Select(kv => ($"{{module=\"{kv.Key}\"}}", (double)kv.Value.Retries)));

        var backups = new BackupStatus(site.Layout.Root).Read().OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        Family(b, "tappaas_backup_last_success", "1 when the module's last backup succeeded, 0 when it failed.", "gauge",
            backups.Where(kv => kv.Value.LastBackup is not null).Select(kv => ($"{{module=\"{kv.Key}\"}}", kv.Value.LastBackup!.Succeeded ? 1.0 : 0.0)));
        Family(b, "tappaas_backup_failures_total", "Failed backups of the module.", "counter", backups.Select(kv => ($"{{module=\"{kv.Key}\"}}", (double)kv.Value.BackupFailures)));
        Family(b, "tappaas_backup_verify_last_success", "1 when the module's last restore verification succeeded, 0 when it failed.", "gauge",
            backups.Where(kv => kv.Value.LastVerify is not null).Select(kv => ($"{{module=\"{kv.Key}\"}}", kv.Value.LastVerify!.Succeeded ? 1.0 : 0.0)));
        return Results.Text(b.ToString(), "text/plain; version=0.0.4", Encoding.UTF8);
    }

    private static void Family(StringBuilder b, string name, string help, string type, IEnumerable<(string Labels, double Value)> samples)
    {
        b.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        b.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var (labels, value) in samples)
        {
            b.Append(name).Append(labels).Append(' ').Append(value.ToString("0.######", CultureInfo.InvariantCulture)).Append('\n');
        }
    }
}
