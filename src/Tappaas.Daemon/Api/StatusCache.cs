using System.Text.Json;
using Tappaas.Client;
using Tappaas.Composition;

namespace Tappaas.Daemon.Api;

/// <summary>
/// Status reads coalesced: callers that arrive while a read is running share its answer, serialised once, instead of
/// each reading the store and every guest's state and serialising it again (a dashboard's polling under load). A
/// caller never gets a read that started before it arrived and finished long ago: once a read completes, the next
/// caller starts a fresh one. The read runs on the thread pool (the store's calls complete synchronously), so callers
/// arriving meanwhile find it running and join it.
/// </summary>
internal sealed class StatusCache(SiteSession site)
{
    private readonly Lock _gate = new();
    private Task<byte[]>? _running;

    /// <summary>The site's status as UTF-8 JSON (a <see cref="SiteStatusV1"/>).</summary>
    public Task<byte[]> ReadAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_running is not { IsCompleted: false })
            {
                _running = Task.Run(async () => JsonSerializer.SerializeToUtf8Bytes(await SiteStatusReport.ReadAsync(site, CancellationToken.None), ApiJson.Default.SiteStatusV1), CancellationToken.None);
            }

            return _running.WaitAsync(cancellationToken);
        }
    }
}
