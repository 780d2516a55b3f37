using Tappaas.Client;
using Tappaas.Composition;

namespace Tappaas.Daemon.Api;

/// <summary>
/// Status reads coalesced: callers that arrive while a read is running share its answer instead of each reading the
/// store and every guest's state again (a dashboard's polling under load). A caller never gets a read that started
/// before it arrived and finished long ago: once a read completes, the next caller starts a fresh one.
/// </summary>
internal sealed class StatusCache(SiteSession site)
{
    private readonly Lock _gate = new();
    private Task<SiteStatusV1>? _running;

    public Task<SiteStatusV1> ReadAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_running is { IsCompleted: false } running)
            {
                return running.WaitAsync(cancellationToken);
            }

            _running = SiteStatusReport.ReadAsync(site, CancellationToken.None);
            return _running.WaitAsync(cancellationToken);
        }
    }
}
