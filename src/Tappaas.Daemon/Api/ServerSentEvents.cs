using System.Text.Json;

namespace Tappaas.Daemon.Api;

/// <summary>
/// Server-sent event streams: a comment line first (a subscriber knows it is connected), then one frame per item.
/// </summary>
internal static class ServerSentEvents
{
    /// <summary>The API's JSON (camelCase, as every other answer).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>One frame: an optional id, the event's name and its data as JSON.</summary>
    public static string Frame(string name, object data, long? id = null) =>
        $"{(id is { } i ? $"id: {i}\n" : "")}event: {name}\ndata: {JsonSerializer.Serialize(data, Json)}\n\n";

    /// <summary>The headers and a comment at once (the subscriber knows it is connected), then a frame per item as it comes, until the client goes away.</summary>
    public static async Task StreamAsync<T>(HttpContext context, string comment, IAsyncEnumerable<T> items, Func<T, string> frame, CancellationToken ct)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.WriteAsync($": {comment}\n\n", ct);
        await context.Response.Body.FlushAsync(ct);
        try
        {
            await foreach (var item in items.WithCancellation(ct))
            {
                await context.Response.WriteAsync(frame(item), ct);
                await context.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException)
        {
            // the client went away
        }
    }
}
