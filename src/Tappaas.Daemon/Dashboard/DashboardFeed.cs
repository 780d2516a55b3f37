using Tappaas.Client;
using Tappaas.Daemon.Api;

namespace Tappaas.Daemon.Dashboard;

/// <summary>
/// The site's status for open dashboard pages: one reader for all of them, which asks <see cref="StatusCache"/> twice a
/// second while a page is open and tells the pages when the answer changed (the cache hands back the same document
/// while nothing changed, so an idle site costs a comparison). A page sees a guest's state change within about half a
/// second plus its render.
/// </summary>
internal sealed class DashboardFeed(StatusCache status, TimeProvider time, ILogger<DashboardFeed> log) : IDisposable
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(500);

    private readonly Lock _gate = new();
    private readonly List<Action<SiteStatusV1>> _subscribers = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private StatusDocument? _lastDocument;

    /// <summary>The last status read, if any.</summary>
    public SiteStatusV1? Current { get; private set; }

    /// <summary>Calls <paramref name="changed"/> with each new status until the returned handle is disposed.</summary>
    public IDisposable Subscribe(Action<SiteStatusV1> changed)
    {
        lock (_gate)
        {
            _subscribers.Add(changed);
            _loop ??= Task.Run(() => RunAsync(_stopping.Token));
        }

        return new Subscription(this, changed);
    }

    /// <summary>The current status, read now (a page's first render).</summary>
    public async Task<SiteStatusV1> ReadAsync(CancellationToken cancellationToken)
    {
        return (await status.ReadAsync(cancellationToken)).Status;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(s_interval, time);
        do
        {
            Action<SiteStatusV1>[] subscribers;
            lock (_gate)
            {
                if (_subscribers.Count == 0)
                {
                    _loop = null;
                    return;
                }

                subscribers = [.. _subscribers];
            }

            try
            {
                var document = await status.ReadAsync(ct);
                if (!ReferenceEquals(document, _lastDocument))
                {
                    _lastDocument = document;
                    var read = document.Status;
                    if (Current is null || !SameView(Current, read))
                    {
                        Current = read;
                        foreach (var subscriber in subscribers)
                        {
                            subscriber(read);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "dashboard: reading the site's status failed");
            }
        }
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
    }

    private static bool SameView(SiteStatusV1 a, SiteStatusV1 b) =>
        a.StateRevision == b.StateRevision && a.Locked == b.Locked && a.Guests.SequenceEqual(b.Guests) && a.Runs.SequenceEqual(b.Runs) && a.Modules.SequenceEqual(b.Modules);

    private sealed class Subscription(DashboardFeed feed, Action<SiteStatusV1> changed) : IDisposable
    {
        public void Dispose()
        {
            lock (feed._gate)
            {
                feed._subscribers.Remove(changed);
            }
        }
    }
}
