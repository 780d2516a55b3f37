using Tappaas.Client;
using Tappaas.Daemon.Dashboard;

namespace Tappaas.Daemon.Tests.Dashboard;

/// <summary>The overview's rows: in name order, what needs attention in each named, the figures summed per module.</summary>
public sealed class SiteViewTests
{
    private static readonly DateTimeOffset s_at = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void What_needs_attention_in_a_module_is_named_with_its_reasons_and_figures_are_summed_over_guests()
    {
        var status = new SiteStatusV1("site", 7,
            [new ModuleV1("alpha", 1, "installed", s_at), new ModuleV1("beta", 2, "installed", s_at), new ModuleV1("gamma", 1, "installed", s_at)], [], null,
            [Guest("alpha-0", "alpha", ready: true), Guest("alpha-1", "alpha", ready: true),
             Guest("beta-0", "beta", ready: true), Guest("beta-1", "beta", ready: false, reason: "readiness failed 3 times"),
             Guest("gamma-0", "gamma", ready: true, diskOver: true)]);
        var backups = new List<BackupStatusV1> { new("alpha", new BackupOutcomeV1(false, s_at, "repository locked", null), null, 1, 0) };

        var rows = SiteView.Rows(status, backups);

        Assert.Equal(["alpha", "beta", "gamma"], rows.Select(r => r.Name)); // by name, as every row is
        Assert.Equal(["last backup failed: repository locked"], rows[0].Attention);
        Assert.Equal(["beta-1 starting: readiness failed 3 times"], rows[1].Attention);
        Assert.Equal(["gamma-0 is over its disk limit"], rows[2].Attention);
        Assert.Equal((2, 2, 2.0, 1024, 2048L), (rows[0].Ready, rows[0].Guests, rows[0].Cores, rows[0].MemoryMiB, rows[0].DiskBytes));
        Assert.Equal((1, 2), (rows[1].Ready, rows[1].Guests));
    }

    [Fact]
    public void Rows_keep_their_order_by_name_whichever_needs_attention()
    {
        var status = new SiteStatusV1("site", 1, [new ModuleV1("b", 1, "installed", s_at), new ModuleV1("a", 1, "installed", s_at)], [], null,
            [Guest("a-0", "a", ready: true), Guest("b-0", "b", ready: false)]);
        var rows = SiteView.Rows(status, []);
        Assert.Equal(["a", "b"], rows.Select(r => r.Name));
        Assert.True(rows[0].Healthy);
        Assert.False(rows[1].Healthy);
        status = status with { Guests = [Guest("a-0", "a", ready: false), Guest("b-0", "b", ready: true)] };
        Assert.Equal(["a", "b"], SiteView.Rows(status, []).Select(r => r.Name));
    }

    [Fact]
    public void Two_revisions_differ_in_the_lines_of_what_changed_and_nothing_else()
    {
        var from = System.Text.Json.Nodes.JsonNode.Parse("""{"vmid": 5, "config": {"replicas": 2, "cores": 1}}""");
        var to = System.Text.Json.Nodes.JsonNode.Parse("""{"vmid": 5, "config": {"replicas": 3, "cores": 1}}""");
        var lines = RevisionDiff.Lines(from, to);
        Assert.Equal(["  \"replicas\": 2,"], lines.Where(l => l.Kind == '-').Select(l => l.Text.Trim() is var t ? "  " + t : t));
        Assert.Equal(["  \"replicas\": 3,"], lines.Where(l => l.Kind == '+').Select(l => l.Text.Trim() is var t ? "  " + t : t));
        Assert.Contains(lines, l => l.Kind == ' ' && l.Text.Contains("\"cores\": 1", StringComparison.Ordinal));
        Assert.All(RevisionDiff.Lines(from, from), l => Assert.Equal(' ', l.Kind));
    }

    private static GuestStatusV1 Guest(string name, string module, bool ready, string? reason = null, bool diskOver = false) =>
        new(name, module, ready ? "running" : "starting", ready, reason, true, "process", "10.0.0.1", null, 512, 1, 0, 4242, 1024, 4096, diskOver);
}
