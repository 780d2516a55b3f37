namespace Tappaas.Daemon.Proxy;

/// <summary>
/// Has the runtime complete socket operations on the threads that poll the sockets instead of handing each completion to
/// the thread pool. For the proxy this halves the thread wake-ups per request (measured with <c>bench/run proxy</c>: about
/// 2.7 context switches per proxied request before, 1 after), which on a small host is the largest share of its
/// CPU time and of its latency. It is process-wide and read once, when the first socket is made, so the daemon turns it
/// on at the start of <c>tappaasd</c>, and only when it runs the proxy.
/// </summary>
/// <remarks>
/// The price: code that runs after an awaited socket operation runs on a polling thread until its next real wait, and
/// if it blocks, every socket of that poller waits. What runs there, and why it may:
/// <list type="bullet">
/// <item>the proxy's per-request path (Kestrel with inline scheduling, YARP's forwarder, <see cref="GuestForwarder"/>):
/// map lookups, counters and non-blocking I/O; certificates for new names are made in memory;</item>
/// <item>the API: Kestrel's default scheduling moves request handling to the thread pool;</item>
/// <item>the daemon's own clients (DNS checks, the Proxmox API) yield to the thread pool once their answer is read
/// (the Proxmox client's JSON parsed, in memory), before their caller's code: journal writes and the like.</item>
/// </list>
/// Guest supervisors and guests do not inherit it (<c>GuestRuntime</c> starts them without the daemon's
/// <c>DOTNET_SYSTEM_NET_SOCKETS_*</c> settings).
/// </remarks>
public static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns it on for this process; call before any socket is made (it has no effect after).</summary>
    public static void Enable() => Environment.SetEnvironmentVariable(Variable, "1");
}
