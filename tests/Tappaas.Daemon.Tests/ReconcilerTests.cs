using System.Text;
using Tappaas.Abstractions.Providers;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Platform.Embedded.Guests;
using Tappaas.Platform.Embedded.Host;

namespace Tappaas.Daemon.Tests;

/// <summary>The reconciler brings back guests whose supervisor is gone, and says why.</summary>
public sealed class ReconcilerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_guest_whose_supervisor_died_is_started_again_with_an_event()
    {
        await using var h = await DaemonHarness.StartAsync(("d1", 180));
        var platform = h.Embedded;
        var module = new ModuleDefinition("keep", "keep.json", (JObject)JsonSource.Parse("keep", Encoding.UTF8.GetBytes(
            "{\"vmid\": 480, \"zone0\": \"srvHome\", \"dependsOn\": [\"cluster:vm\"], \"config\": {\"cluster:vm\": {\"image\": \"x\", \"memory\": 256, \"cores\": 1, " +
            "\"workload\": {\"command\": \"/bin/sleep\", \"args\": [\"600\"], \"stopGrace\": \"1s\"}}}}")).Root!);
        var request = new ProviderRequest(module, ServiceRef.Parse("cluster:vm"), h.Repository, h.Layout.Root, HookFlags.None);
        try
        {
            Assert.True((await platform.Vm.InstallAsync(request, Ct)).Succeeded);
            await h.Session.Store.SaveModuleAsync("keep", "{}", "installed", "install", Ct); // as the engine records it
            var before = platform.Runtime.State("keep-0")!;

            // As after a host reboot: the supervisor and its guest are gone, state.json still says running.
            System.Diagnostics.Process.GetProcessById(before.ShimPid).Kill(entireProcessTree: true);
            await WaitAsync(() => !platform.Runtime.SupervisorAlive("keep-0"));
            Assert.Equal("running", platform.Runtime.State("keep-0")!.Status);

            var recovered = await h.Service<Reconciler>().RunOnceAsync(Ct);
            Assert.Equal(["keep-0"], recovered);
            await WaitAsync(() => platform.Runtime.SupervisorAlive("keep-0") && platform.Runtime.State("keep-0") is { Status: "running" } s && s.ShimPid != before.ShimPid);
            var events = await h.Session.Store.ReadEventsAsync(0, 100, Ct);
            Assert.Contains(events, e => e.Module == "keep" && e.Kind == "recovered" && e.Message.Contains("had no supervisor", StringComparison.Ordinal));

            Assert.Empty(await h.Service<Reconciler>().RunOnceAsync(Ct)); // supervised again: nothing to do

            // Stopped by 'tappaas down' (or a host shutdown): the next daemon starts it again.
            await platform.Runtime.StopAsync("keep-0", Ct);
            Assert.Equal("stopped", platform.Runtime.State("keep-0")!.Status);
            Assert.Equal(["keep-0"], await h.Service<Reconciler>().RunOnceAsync(Ct));
            await WaitAsync(() => platform.Runtime.SupervisorAlive("keep-0") && platform.Runtime.State("keep-0") is { Status: "running" });

            // A guest whose module the site does not have installed is not the reconciler's to start.
            await h.Session.Store.SaveModuleAsync("keep", "{}", "archived", "delete", Ct);
            await platform.Runtime.StopAsync("keep-0", Ct);
            Assert.Empty(await h.Service<Reconciler>().RunOnceAsync(Ct));
            await h.Session.Store.SaveModuleAsync("keep", "{}", "installed", "install", Ct);
            Assert.Equal(["keep-0"], await h.Service<Reconciler>().RunOnceAsync(Ct));
            await WaitAsync(() => platform.Runtime.SupervisorAlive("keep-0") && platform.Runtime.State("keep-0") is { Status: "running" });

            // The guest in Prometheus' view.
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await h.Client().GetAsync("/metrics", Ct)).StatusCode);
            var metrics = await h.Client(h.AdminToken).GetStringAsync("/metrics", Ct);
            Assert.Contains("tappaas_guest_up{guest=\"keep-0\",module=\"keep\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("tappaas_guest_restarts_total{guest=\"keep-0\",module=\"keep\"} 0", metrics, StringComparison.Ordinal);
            if (platform.Runtime.Spec("keep-0")!.CgroupMode != Platform.Embedded.Guests.Cgroups.CgroupMode.None)
            {
                Assert.Matches("tappaas_guest_memory_bytes\\{guest=\"keep-0\",module=\"keep\"\\} [1-9][0-9]*", metrics);
                Assert.Contains("tappaas_guest_cpu_seconds_total{guest=\"keep-0\"", metrics, StringComparison.Ordinal);
            }
        }
        finally
        {
            await platform.Vm.DeleteAsync(request, CancellationToken.None);
        }
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(50, Ct);
        }

        Assert.True(condition());
    }
}
