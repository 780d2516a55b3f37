using Tappaas.Cli.Commands;
using Tappaas.Platform.Embedded.Guests;
using Tappaas.TestUtilities;

namespace Tappaas.Cli.Tests;

/// <summary>
/// Where the CLI finds what it ships with, in a clone's build and in the package's layout (usr/lib/tappaas beside
/// usr/share/tappaas): the example stack, the daemon and the guest supervisor, with or without a dotnet host.
/// </summary>
public sealed class InstallLayoutTests
{
    [Fact]
    public void The_example_stack_is_found_in_a_clone_and_in_the_package_layout()
    {
        using var clone = new TempDir();
        clone.Write("examples/stack/counter/counter.json", "{}");
        Directory.CreateDirectory(Path.Combine(clone.Path, ".build", "cli"));
        Assert.Equal(clone.Path, UpCommands.ShareRoot(Path.Combine(clone.Path, ".build", "cli")));

        using var package = new TempDir();
        package.Write("usr/share/tappaas/examples/stack/counter/counter.json", "{}");
        Directory.CreateDirectory(Path.Combine(package.Path, "usr", "lib", "tappaas"));
        Assert.Equal(Path.Combine(package.Path, "usr", "share", "tappaas"), UpCommands.ShareRoot(Path.Combine(package.Path, "usr", "lib", "tappaas") + "/"));

        using var neither = new TempDir();
        Assert.Null(UpCommands.ShareRoot(neither.Path));
    }

    [Fact]
    public void A_self_contained_install_runs_its_own_launchers_and_a_clone_runs_dlls_under_dotnet()
    {
        using var clone = new TempDir();
        clone.Write("tappaasd", "");
        clone.Write("tappaas-shim", "");
        Assert.Equal("tappaasd.dll", Path.GetFileName(DaemonLauncher.Command(clone.Path)[^1]));
        Assert.Equal("tappaas-shim.dll", Path.GetFileName(GuestRuntime.ShimCommand(clone.Path)[^1]));

        // The runtime beside them (libhostpolicy.so) marks a self-contained install: no dotnet host is needed or used.
        clone.Write("libhostpolicy.so", "");
        Assert.Equal([Path.Combine(clone.Path, "tappaasd")], DaemonLauncher.Command(clone.Path));
        Assert.Equal([Path.Combine(clone.Path, "tappaas-shim")], GuestRuntime.ShimCommand(clone.Path));

        // The native supervisor wins wherever it was built.
        clone.Write("native/tappaas-shim", "");
        Assert.Equal([Path.Combine(clone.Path, "native", "tappaas-shim")], GuestRuntime.ShimCommand(clone.Path));
    }

    [Fact]
    public async Task Under_systemd_up_enables_the_sites_instance_of_the_unit_with_its_arguments_and_down_disables_it()
    {
        // systemd cannot run here: a systemctl that records what it was asked; systemd-escape is the real one.
        using var dir = new TempDir();
        var calls = Path.Combine(dir.Path, "calls");
        var systemctl = dir.Write("systemctl", $"#!/bin/sh\necho \"$*\" >>{calls}\n");
        File.SetUnixFileMode(systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var site = Path.Combine(dir.Path, "my site", "site");
        Directory.CreateDirectory(site);
        var launcher = new DaemonLauncher(underSystemd: true, systemctl);

        var (log, problem) = await launcher.StartAsync(site, ["--listen", "https://127.0.0.1:7780"], Path.Combine(site, "logs"), TestContext.Current.CancellationToken);
        Assert.Null(problem);
        Assert.StartsWith(Path.Combine(site, "logs", "daemon.log"), log, StringComparison.Ordinal);
        Assert.Contains("TAPPAASD_ARGS=--listen https://127.0.0.1:7780\n", await File.ReadAllTextAsync(Path.Combine(site, "daemon.env"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
        await launcher.DisableAsync(site, TestContext.Current.CancellationToken);

        // The instance is the site folder as systemd escapes it (the unit's %f turns it back into the path).
        var instance = "tappaasd@" + site.TrimStart('/').Replace("-", "\\x2d", StringComparison.Ordinal).Replace(" ", "\\x20", StringComparison.Ordinal).Replace('/', '-') + ".service";
        Assert.Equal([$"enable --now {instance}", $"disable --now {instance}"], await File.ReadAllLinesAsync(calls, TestContext.Current.CancellationToken));

        // An argument systemd would split is refused before anything is written or started.
        File.Delete(Path.Combine(site, "daemon.env"));
        var (_, refused) = await launcher.StartAsync(site, ["--listen", "https://127.0.0.1:7780 x"], Path.Combine(site, "logs"), TestContext.Current.CancellationToken);
        Assert.Contains("\"https://127.0.0.1:7780 x\" has white space", refused, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(site, "daemon.env")));
        Assert.Equal(2, (await File.ReadAllLinesAsync(calls, TestContext.Current.CancellationToken)).Length);
    }
}
