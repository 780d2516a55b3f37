using System.Diagnostics;
using Tappaas.Platform.Embedded.Images;

namespace Tappaas.Platform.Embedded.Tests;

/// <summary>
/// A process guest is confined: probes run from inside one, as an attacker would, and each fails — reading the site's
/// secrets and state, writing the host, entering another network namespace, planting a hook the host would run —
/// while the guest still writes its own disk and reads its own files.
/// </summary>
[Collection(nameof(GuestCollection))]
public sealed class ConfinementTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Probes = """
        p() { name=$1; shift; if "$@" >/dev/null 2>&1; then echo "$name allowed"; else echo "$name denied"; fi; }
        {
        p read-site-config cat "$SITE/config/readable.txt"
        p see-state-store test -e "$SITE/state.db"
        p read-admin-token cat "$SITE/secrets/initial-admin-token"
        p see-other-disk test -e "$SITE/disks/neighbour/secret.txt"
        p read-shadow cat /etc/shadow
        p write-root touch "/root/tappaas-probe-$MARK"
        p write-var-tmp touch "/var/tmp/tappaas-probe-$MARK"
        p write-usr touch "/usr/tappaas-probe-$MARK"
        p plant-hook sh -c 'echo "touch /var/tmp/tappaas-planted-$MARK" > /app/pre-backup.sh'
        p see-netns test -e "/run/netns/$NETNS"
        p enter-netns nsenter "--net=/run/netns/$NETNS" true
        p read-own-files cat /app/probe.sh
        p write-own-disk sh -c 'echo ok > "$TAPPAAS_DATA/written"'
        echo "uid $(id -u)"
        grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status | tr -d '\t' | tr ':' ' '
        } > "$TAPPAAS_DATA/probes.txt"
        exec /usr/bin/python3 -m http.server 8080 --bind 0.0.0.0
        """;

    [Fact]
    public async Task A_process_guest_cannot_read_the_site_write_the_host_enter_namespaces_or_plant_hooks()
    {
        if (EmbeddedHarness.IsolationUnavailable is { } why)
        {
            Assert.Skip(why);
        }

        await using var h = new EmbeddedHarness();
        var mark = Guid.NewGuid().ToString("N")[..8];
        var netns = $"tappaas-probe-{mark}";
        var site = h.Layout.Root;
        // What a site holds, readable by others where a real one is too (the store is 0644 as SQLite makes it).
        await File.WriteAllTextAsync(Path.Combine(site, "config", "readable.txt"), "site config", Ct);
        await File.WriteAllTextAsync(Path.Combine(site, "state.db"), "SQLite format 3", Ct);
        Directory.CreateDirectory(Path.Combine(site, "secrets"));
        await File.WriteAllTextAsync(Path.Combine(site, "secrets", "initial-admin-token"), "tpa_secret", Ct);
        Directory.CreateDirectory(Path.Combine(site, "disks", "neighbour"));
        await File.WriteAllTextAsync(Path.Combine(site, "disks", "neighbour", "secret.txt"), "theirs", Ct);
        await File.WriteAllTextAsync(Path.Combine(h.Folder, "probe.sh"), Probes, Ct);
        Assert.Equal(0, await RunAsync("ip", "netns", "add", netns));
        try
        {
            var provider = new EmbeddedVmProvider(site, isolate: true, TimeProvider.System);
            var workload = "{\"command\": \"/bin/sh\", \"args\": [\"probe.sh\"], \"ports\": {\"http\": 8080}, "
                + $"\"env\": {{\"SITE\": \"{site}\", \"MARK\": \"{mark}\", \"NETNS\": \"{netns}\"}}, "
                + "\"health\": {\"readiness\": {\"http\": {\"port\": \"http\", \"path\": \"/\"}, \"interval\": \"200ms\"}}, \"stopGrace\": \"2s\"}";
            var module = EmbeddedHarness.Module("probe", workload);
            var result = await h.InstallAsync(provider, module);
            Assert.True(result.Succeeded, result.Message);

            var disk = Path.Combine(site, "disks", "probe");
            var probes = (await File.ReadAllLinesAsync(Path.Combine(disk, "probes.txt"), Ct)).Select(l => l.Split(' ', 2)).ToDictionary(p => p[0], p => p[1]);
            foreach (var denied in new[] { "read-site-config", "see-state-store", "read-admin-token", "see-other-disk", "read-shadow", "write-root", "write-var-tmp", "write-usr", "plant-hook", "see-netns", "enter-netns" })
            {
                Assert.True(probes[denied] == "denied", $"{denied}: {probes[denied]}");
            }

            Assert.Equal("allowed", probes["read-own-files"]);
            Assert.Equal("allowed", probes["write-own-disk"]);
            var uid = new HostIds(site).Of("probe");
            Assert.NotNull(uid);
            Assert.Equal(uid.ToString(), probes["uid"]);
            Assert.Equal(("0000000000000000", "1", "2"), (probes["CapEff"], probes["NoNewPrivs"], probes["Seccomp"]));

            // The host is untouched, and what the guest wrote on its disk is its uid's.
            Assert.False(File.Exists($"/root/tappaas-probe-{mark}"));
            Assert.False(File.Exists($"/var/tmp/tappaas-probe-{mark}"));
            Assert.False(File.Exists($"/usr/tappaas-probe-{mark}"));
            Assert.False(File.Exists(Path.Combine(h.Folder, "pre-backup.sh")));
            Assert.Equal(uid.ToString(), (await OutputAsync("stat", "-c", "%u", Path.Combine(disk, "written"))).Trim());

            // A command run in the guest (exec, exec health checks) is the guest's uid too, with its view.
            Assert.Equal((0, uid.ToString()), await provider.Runtime.ExecAsync("probe-0", ["id", "-u"], Ct));
            Assert.NotEqual(0, (await provider.Runtime.ExecAsync("probe-0", ["cat", Path.Combine(site, "secrets", "initial-admin-token")], Ct)).ExitCode);
            Assert.NotEqual(0, (await provider.Runtime.ExecAsync("probe-0", ["touch", "/app/x"], Ct)).ExitCode);
            Assert.Equal((0, "ok"), await provider.Runtime.ExecAsync("probe-0", ["cat", "/data/written"], Ct));
        }
        finally
        {
            await RunAsync("ip", "netns", "delete", netns);
        }
    }

    private static async Task<int> RunAsync(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        await p.WaitForExitAsync(Ct);
        return p.ExitCode;
    }

    private static async Task<string> OutputAsync(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true })!;
        var output = await p.StandardOutput.ReadToEndAsync(Ct);
        await p.WaitForExitAsync(Ct);
        return output;
    }
}
