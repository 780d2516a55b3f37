namespace Tappaas.Engine.Apply;

/// <summary>
/// Internal for testing: the crash harness sets <c>TAPPAAS_CRASH_AFTER_JOURNAL=N</c> and the process kills itself
/// (SIGKILL, no clean-up) right after its Nth journal line is durable — before or after a step, by choice of N.
/// </summary>
internal static class CrashPoint
{
    private static readonly int s_after = int.TryParse(Environment.GetEnvironmentVariable("TAPPAAS_CRASH_AFTER_JOURNAL"), out var n) ? n : 0;
    private static int s_count;

    public static void JournalWritten()
    {
        if (s_after > 0 && Interlocked.Increment(ref s_count) == s_after)
        {
            System.Diagnostics.Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
