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
}
