using Tappaas.Daemon.Scaling;

namespace Tappaas.Daemon.Tests;

/// <summary>Drives the autoscaler by hand (its cycle, four times a second) until the site gets where a test expects.</summary>
internal static class AutoscaleSampling
{
    public static async Task UntilAsync(Autoscaler autoscaler, Func<bool> done, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + deadline;
        while (!done())
        {
            Assert.True(DateTime.UtcNow < until, "the autoscaler did not get there in time");
            await autoscaler.RunOnceAsync(cancellationToken);
            await Task.Delay(250, cancellationToken);
        }
    }
}
