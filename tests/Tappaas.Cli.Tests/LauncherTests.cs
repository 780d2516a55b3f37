using System.Diagnostics;
using Tappaas.TestUtilities;

namespace Tappaas.Cli.Tests;

/// <summary>Runs the repository's ./tappaas launcher as a real process.</summary>
public sealed class LauncherTests
{
    [CorpusFact]
    public async Task Launcher_runs_the_cli_with_its_arguments()
    {
        var psi = new ProcessStartInfo(Path.Combine(RepoPaths.Root, "tappaas"), ["validate", Corpus.PathOf("src/apps/litellm/litellm.json")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, await stdout + await stderr);
        Assert.Contains("0 error(s)", await stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launcher_without_dotnet_says_how_to_get_the_sdk_or_the_package()
    {
        // A PATH with only what the script itself needs before it looks for dotnet.
        using var bin = new TempDir();
        foreach (var tool in new[] { "bash", "dirname", "cat" })
        {
            File.CreateSymbolicLink(Path.Combine(bin.Path, tool), Path.Combine("/usr/bin", tool));
        }

        var psi = new ProcessStartInfo(Path.Combine(RepoPaths.Root, "tappaas"), ["status"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["PATH"] = bin.Path },
        };
        using var process = Process.Start(psi)!;
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("needs the .NET 10 SDK", stderr, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y dotnet-sdk-10.0", stderr, StringComparison.Ordinal);
        Assert.Contains("scripts/package.sh", stderr, StringComparison.Ordinal);
    }
}
