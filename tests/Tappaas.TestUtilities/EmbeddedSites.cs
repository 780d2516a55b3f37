using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Tappaas.TestUtilities;

/// <summary>
/// Keeps an embedded test site's host objects apart from every other test's: its own instance tag (bridges, nftables
/// table, DNS server) and its zones moved to subnets of their own (10.a.b.0/24 becomes 10.(a+offset).b.0/24).
/// </summary>
public static partial class EmbeddedSites
{
    public static void Separate(string site, string instance, int offset)
    {
        var configuration = Path.Combine(site, "config", "configuration.json");
        var config = JsonNode.Parse(File.ReadAllText(configuration))!;
        config["tappaas"]!["embedded"] = new JsonObject { ["instance"] = instance };
        File.WriteAllText(configuration, config.ToJsonString());
        var zones = Path.Combine(site, "config", "zones.json");
        File.WriteAllText(zones, Subnet().Replace(File.ReadAllText(zones), m => $"\"10.{int.Parse(m.Groups[1].Value) + offset}.{m.Groups[2].Value}.0/24\""));
    }

    /// <summary>
    /// Removes every host object of a test site's instance, whatever the test left (it failed, or kept guests running
    /// as a daemon does when it stops): the supervisors of <paramref name="site"/>'s guests, every process in the
    /// instance's cgroups and the cgroups, its network namespaces (their veths go with them), its zone bridges, its
    /// nftables table and its DNS server. Call it from a harness's dispose, in a finally.
    /// </summary>
    public static async Task RemoveHostObjectsAsync(string instance, string? site)
    {
        // The site's proxy runs apart from its daemon: it goes first, before the guests it routes to.
        var proxy = Path.Combine(site ?? "/nonexistent", "run", "proxy.json");
        try
        {
            if (File.Exists(proxy) && JsonNode.Parse(File.ReadAllText(proxy))?["Pid"]?.GetValue<int>() is > 0 and var pid
                && File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Split('\0').Contains("proxy"))
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
                await process.WaitForExitAsync();
            }
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or InvalidOperationException or ArgumentException or System.ComponentModel.Win32Exception)
        {
            // gone already
        }

        foreach (var state in Directory.Exists(Path.Combine(site ?? "/nonexistent", "guests"))
            ? Directory.EnumerateFiles(Path.Combine(site!, "guests"), "state*.json", SearchOption.AllDirectories) : [])
        {
            try
            {
                if (JsonNode.Parse(File.ReadAllText(state))?["ShimPid"]?.GetValue<int>() is > 0 and var shim
                    && File.Exists($"/proc/{shim}/cmdline") && File.ReadAllText($"/proc/{shim}/cmdline").Contains("tappaas-shim", StringComparison.Ordinal))
                {
                    System.Diagnostics.Process.GetProcessById(shim).Kill();
                }
            }
            catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or InvalidOperationException or ArgumentException or System.ComponentModel.Win32Exception)
            {
                // gone already, or not readable: the cgroups below still hold its workload
            }
        }

        var cgroups = new[] { "/sys/fs/cgroup/tappaas" }.Concat(Directory.Exists("/sys/fs/cgroup") ? Directory.EnumerateDirectories("/sys/fs/cgroup").Select(d => Path.Combine(d, "tappaas")) : [])
            .Where(Directory.Exists).SelectMany(d => Directory.EnumerateDirectories(d, instance + "-*")).ToList();
        for (var round = 0; round < 50 && cgroups.Any(Populated); round++)
        {
            foreach (var pid in cgroups.SelectMany(Pids))
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill();
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                }
            }

            await Task.Delay(20);
        }

        foreach (var cgroup in cgroups)
        {
            try
            {
                Directory.Delete(cgroup);
            }
            catch (IOException)
            {
            }
        }

        var prefix = $"tq{instance}-";
        var (_, namespaces) = await ProcessRunner.RunAsync("ip", ["netns", "list"]);
        foreach (var ns in namespaces.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            await ProcessRunner.RunAsync("ip", ["netns", "del", ns]);
        }

        var (_, bridges) = await ProcessRunner.RunAsync("ip", ["-o", "link", "show", "type", "bridge"]);
        foreach (var bridge in bridges.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':', 3)).Where(p => p.Length > 1).Select(p => p[1].Trim())
            .Where(b => b.StartsWith(prefix, StringComparison.Ordinal)))
        {
            await ProcessRunner.RunAsync("ip", ["link", "del", bridge]);
        }

        await ProcessRunner.RunAsync("nft", ["delete", "table", "inet", $"tappaas_{instance}"]);
        var dns = $"/run/tappaas/tappaas_{instance}";
        if (File.Exists(Path.Combine(dns, "dnsmasq.pid")) && int.TryParse(File.ReadAllText(Path.Combine(dns, "dnsmasq.pid")).Trim(), out var dnsmasq)
            && File.Exists($"/proc/{dnsmasq}/comm") && File.ReadAllText($"/proc/{dnsmasq}/comm").Trim() == "dnsmasq")
        {
            System.Diagnostics.Process.GetProcessById(dnsmasq).Kill();
        }

        if (Directory.Exists(dns))
        {
            Directory.Delete(dns, recursive: true);
        }
    }

    /// <summary>The same for a site folder made by <see cref="Separate"/> (its instance read from its configuration); nothing for a site without one.</summary>
    public static async Task RemoveHostObjectsAsync(string site)
    {
        var configuration = Path.Combine(site, "config", "configuration.json");
        if (File.Exists(configuration) && JsonNode.Parse(File.ReadAllText(configuration))?["tappaas"]?["embedded"]?["instance"]?.GetValue<string>() is { Length: > 0 } instance)
        {
            await RemoveHostObjectsAsync(instance, site);
        }
    }

    private static IEnumerable<int> Pids(string cgroup)
    {
        try
        {
            return [.. File.ReadAllLines(Path.Combine(cgroup, "cgroup.procs")).Select(l => int.TryParse(l, out var p) ? p : 0).Where(p => p > 0)];
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static bool Populated(string cgroup) => Pids(cgroup).Any();

    [GeneratedRegex("\"10\\.([0-9]+)\\.([0-9]+)\\.0/24\"")]
    private static partial Regex Subnet();
}
