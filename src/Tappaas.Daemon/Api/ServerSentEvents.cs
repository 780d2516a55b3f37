using System.Text.Json;

namespace Tappaas.Daemon.Api;

/// <summary>
/// A server-sent event stream: the headers and a comment line at once (a subscriber knows it is connected), then every
/// <c>every</c> interval the frames <c>poll</c> returns, until the client goes away.
/// </summary>
internal static class ServerSentEvents
{
    /// <summary>The API's JSON (camelCase, as every other answer).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>One frame: an optional id, the event's name and its data as JSON.</summary>
    public static string Frame(string name, object data, long? id = null) =>
        $"{(id is { } i ? $"id: {i}\n" : "")}event: {name}\ndata: {JsonSerializer.Serialize(data, Json)}\n\n";

    public static async Task StreamAsync(HttpContext context, string comment, TimeSpan every, Func<CancellationToken, Task<IEnumerable<string>>> poll, CancellationToken ct)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.WriteAsync($": {comment}\n\n", ct);
        await context.Response.Body.FlushAsync(ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                foreach (var frame in await poll(ct))
                {
                    await context.Response.WriteAsync(frame, ct);
                }

                await context.Response.Body.FlushAsync(ct);
                await Task.Delay(every, ct);
            }
        }
        catch (OperationCanceledException)
        {
            // the client went away
        }
    }
}
