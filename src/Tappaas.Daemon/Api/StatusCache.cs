using System.IO.Compression;
using System.Text.Json;
using Tappaas.Client;
using Tappaas.Composition;

namespace Tappaas.Daemon.Api;

/// <summary>
/// Status reads coalesced: callers that arrive while a read is running share its answer, serialised and compressed
/// once, instead of each reading the store and every guest's state and serialising it again (a dashboard's polling
/// under load). A caller never gets a read that started before it arrived and finished long ago: once a read
/// completes, the next caller starts a fresh one. A fresh read that finds nothing changed since the last one began (the
/// store's change stamp the same, every guest observed the same) answers with the last one's document instead of
/// reading the store and serialising again; a store that has no stamp is read every time. The read runs on the thread
/// pool (the store's calls complete synchronously), so callers arriving meanwhile find it running and join it.
/// </summary>
internal sealed class StatusCache(SiteSession site)
{
    private readonly Lock _gate = new();
    private Task<StatusDocument>? _running;
    private Last? _last; // written only by the one running read

    /// <summary>Reads that went to the store and serialised a new document (the rest reused the last one).</summary>
    public int FullReads => Volatile.Read(ref _fullReads);

    private int _fullReads;

    /// <summary>The site's status (a <see cref="SiteStatusV1"/>) as UTF-8 JSON, and the same gzip-compressed.</summary>
    public Task<StatusDocument> ReadAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_running is not { IsCompleted: false })
            {
                _running = Task.Run(ReadOrReuseAsync, CancellationToken.None);
            }

            return _running.WaitAsync(cancellationToken);
        }
    }

    private async Task<StatusDocument> ReadOrReuseAsync()
    {
        // The stamp before anything is read: a commit during the read changes it, so the next read reads again.
        var stamp = await site.Store.ChangeStampAsync(CancellationToken.None);
        var guests = SiteStatusReport.Guests(site);
        if (stamp is { } now && _last is { } last && last.Stamp == now && last.Guests.SequenceEqual(guests))
        {
            return last.Document;
        }

        Interlocked.Increment(ref _fullReads);
        var document = StatusDocument.Of(await SiteStatusReport.ReadAsync(site, guests, CancellationToken.None));
        _last = stamp is { } taken ? new Last(taken, guests, document) : null;
        return document;
    }

    private sealed record Last(long Stamp, IReadOnlyList<GuestStatusV1> Guests, StatusDocument Document);
}

/// <summary>
/// One status answer, plain and gzip-compressed: the document of 100 guests is 46 KiB, 4 KiB compressed, and a round of
/// 100 callers that accept gzip (browsers, the CLI) is sent a tenth of the bytes, encrypted a tenth as often. The status
/// it was made from goes along, for in-process readers (the dashboard) that would otherwise parse the JSON again.
/// </summary>
internal sealed record StatusDocument(SiteStatusV1 Status, byte[] Json, byte[] Gzip)
{
    public static StatusDocument Of(SiteStatusV1 status)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(status, ApiJson.Default.SiteStatusV1);
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(json);
        }

        return new StatusDocument(status, json, buffer.ToArray());
    }

    /// <summary>Whether the request's Accept-Encoding takes gzip (with a quality above 0).</summary>
    public static bool Accepted(HttpRequest request) =>
        request.GetTypedHeaders().AcceptEncoding.Any(e => e.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && e.Quality is not 0);

    /// <summary>The answer for <paramref name="context"/>: compressed when the caller takes it.</summary>
    public IResult For(HttpContext context)
    {
        context.Response.Headers.Vary = "Accept-Encoding";
        if (!Accepted(context.Request))
        {
            return Results.Bytes(Json, "application/json");
        }

        context.Response.Headers.ContentEncoding = "gzip";
        return Results.Bytes(Gzip, "application/json");
    }
}
