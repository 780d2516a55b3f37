using System.Collections.Concurrent;
using Tappaas.Engine.Apply;

namespace Tappaas.Engine.Tests.Apply;

/// <summary>Progress lines reach the journal in the order they came, without the reporting thread waiting for the writes.</summary>
public sealed class ProgressLinesTests
{
    private static readonly ApplyStep s_step = new(0, StepKind.StageConfig, "web");

    [Fact]
    public async Task Lines_are_written_in_order_and_the_reporter_does_not_wait_for_them()
    {
        var written = new ConcurrentQueue<string>();
        using var release = new SemaphoreSlim(0);
        var lines = new ProgressLines(async (_, detail) =>
        {
            await release.WaitAsync(TestContext.Current.CancellationToken);
            written.Enqueue(detail);
        });

        for (var i = 0; i < 5; i++)
        {
            lines.Add(s_step, $"line {i}"); // returns although no write could finish yet
        }

        Assert.Empty(written);
        var flushed = lines.FlushAsync();
        Assert.False(flushed.IsCompleted);
        release.Release(5);
        await flushed;
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"line {i}"), written);
    }

    [Fact]
    public async Task A_failed_write_fails_the_flush_that_comes_after_it()
    {
        var lines = new ProgressLines((_, detail) => detail == "bad" ? Task.FromException(new IOException("disk full")) : Task.CompletedTask);
        lines.Add(s_step, "ok");
        lines.Add(s_step, "bad");
        lines.Add(s_step, "after");
        Assert.Equal("disk full", (await Assert.ThrowsAsync<IOException>(lines.FlushAsync)).Message);
    }
}
