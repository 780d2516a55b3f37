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
}
