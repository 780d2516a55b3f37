using System.Diagnostics;
using Tappaas.TestUtilities;

namespace Tappaas.EndToEnd.Tests;

/// <summary>
/// A full disk and a damaged state store are said in words that say what to do, never SQLite's error numbers and never
/// an "unexpected error": reads still work on a full disk, and a damaged store is refused before anything uses it.
/// </summary>
public sealed class StoreFailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task On_a_full_disk_status_still_answers_and_a_change_says_the_disk_is_full_and_how_much_is_free()
    {
        if (!Prerequisites.IsRoot)
        {
            Assert.Skip(Prerequisites.Missing("root (the test mounts a small tmpfs as the site's disk)"));
        }

        using var fx = new SiteFixture();
        Directory.CreateDirectory(fx.Site);
        Assert.Equal(0, (await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", "size=6m", "tappaas-full-disk-test", fx.Site])).Code);
        try
        {
            await fx.InitAsync();
            Assert.Equal(0, (await Cli.RunAsync(fx.Site, "install", "cluster")).Code);

            // Fill the disk to the last byte.
            var filler = Path.Combine(fx.Site, "filler");
            await using (var fill = File.OpenWrite(filler))
            {
                var block = new byte[64 * 1024];
                try
                {
                    while (true)
                    {
                        fill.Write(block);
                        fill.Flush(flushToDisk: true);
                    }
                }
                catch (IOException)
                {
                    // full
                }
            }

            var status = await Cli.RunAsync(fx.Site, "status");
            Assert.True(status.Code == 0, status.Output);
            Assert.Contains("cluster", status.Output, StringComparison.Ordinal);

            var install = await Cli.RunAsync(fx.Site, "install", "db");
            Assert.True(install.Code == 1, install.Output);
            Assert.Contains($"the disk holding the site {fx.Site} is full (", install.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("SQLite Error", install.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("unexpected error", install.Output, StringComparison.Ordinal);

            File.Delete(filler);
            var again = await Cli.RunAsync(fx.Site, "install", "db");
            Assert.True(again.Code == 0, again.Output);
        }
        finally
        {
            await ProcessRunner.RunAsync("umount", ["-l", fx.Site]);
        }
    }

    [Fact]
    public async Task A_damaged_state_store_is_named_with_what_to_do_and_the_daemon_refuses_to_start_on_it()
    {
        using var fx = new SiteFixture();
        await fx.InitAsync();
        Assert.Equal(0, (await Cli.RunAsync(fx.Site, "install", "cluster", "db")).Code);
        var store = Path.Combine(fx.Site, "state.db");
        Assert.False(File.Exists(store + "-wal") && new FileInfo(store + "-wal").Length > 0, "the last connection checkpoints the log into the store");

        // Every page scribbled on, the file header kept (so it still looks like a database).
        var bytes = File.ReadAllBytes(store);
        for (var i = 100; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 31 + 7);
        }

        File.WriteAllBytes(store, bytes);

        foreach (var command in new[] { new[] { "status" }, ["history", "db"], ["install", "web"] })
        {
            var (code, output) = await Cli.RunAsync(fx.Site, command);
            Assert.True(code == 1, $"{string.Join(' ', command)}: {code} {output}");
            Assert.Contains($"the state store {store} is damaged", output, StringComparison.Ordinal);
            Assert.Contains("tappaas import", output, StringComparison.Ordinal);
            Assert.DoesNotContain("unexpected error", output, StringComparison.Ordinal);
        }

        Assert.Equal(bytes, File.ReadAllBytes(store)); // nothing wrote to it

        using var daemon = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "tappaasd.dll"), "--site", fx.Site, "--listen", $"http://127.0.0.1:{SiteHttps.FreePort()}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var error = daemon.StandardError.ReadToEndAsync(Ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        await daemon.WaitForExitAsync(deadline.Token);
        Assert.Equal(1, daemon.ExitCode);
        Assert.Contains($"the state store {store} is damaged", await error, StringComparison.Ordinal);
    }
}
