using System.Collections.Concurrent;
using System.Net;
using Tappaas.Abstractions.Routing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Tappaas.Daemon.Proxy;

/// <summary>
/// Sends a request on to one of a route's ready guests with YARP's forwarder: round robin over the guests not marked
/// failed, a request without a body that failed before the client got any answer (the guest died, refused or reset the
/// connection, or died in the middle of an answer the proxy had not begun to pass on) sent again to another guest, and a guest that failed so left out of the rotation for <see cref="Quarantine"/> (passive
/// health; if every guest failed, all are tried again rather than none). The route is already chosen and its access
/// checked; this is the part every request pays for, so it keeps to a counter, a map lookup and the forwarder.
/// </summary>
internal sealed class GuestForwarder(IHttpForwarder forwarder, IForwarderHttpClientFactory clients, ProxyStats stats, TimeProvider time, ILogger<GuestForwarder> log)
{
    public static readonly TimeSpan Quarantine = TimeSpan.FromSeconds(5);

    /// <summary>The activity source of proxied requests: one activity per request (module, guest, attempts, status), recorded only while a listener is attached.</summary>
    public const string SourceName = "Tappaas.Proxy";

    private static readonly System.Diagnostics.ActivitySource s_source = new(SourceName);

    private const int MaxAttempts = 4;

    private readonly ConcurrentDictionary<string, long> _failedUntil = new(StringComparer.Ordinal);
    private readonly HttpMessageInvoker _plain = clients.CreateClient(new ForwarderHttpClientContext { NewConfig = HttpClientConfig.Empty });
    private readonly HttpMessageInvoker _tls = clients.CreateClient(new ForwarderHttpClientContext { NewConfig = new HttpClientConfig { DangerousAcceptAnyServerCertificate = true } });
    private static readonly ForwarderRequestConfig Http1 = new() { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

    /// <summary>Forwards the request to a guest of <paramref name="upstream"/> (which has at least one) and answers the client.</summary>
    public async Task ForwardAsync(HttpContext context, Upstream upstream)
    {
        var route = upstream.Route;
        var client = route.UpstreamTls ? _tls : _plain;
        var config = route.Http1 ? Http1 : ForwarderRequestConfig.Empty;
        var transformer = route.PreserveHost ? ForwardedHeaders.KeepHost : ForwardedHeaders.GuestHost;
        var tried = 0UL; // bit i: destination i failed this request
        using var activity = s_source.StartActivity($"proxy {route.Module}", System.Diagnostics.ActivityKind.Client)?.SetTag("tappaas.module", route.Module)
            .SetTag("server.address", context.Request.Host.Host).SetTag("server.port", context.Connection.LocalPort);
        for (var attempt = 1; ; attempt++)
        {
            var index = Pick(upstream, tried);
            var destination = route.Destinations[index];
            activity?.SetTag("tappaas.guest", destination.Guest).SetTag("tappaas.attempts", attempt);
            var error = await forwarder.SendAsync(context, upstream.Prefixes[index], client, config, transformer);
            activity?.SetTag("http.response.status_code", context.Response.StatusCode);
            if (error == ForwarderError.None)
            {
                return;
            }

            activity?.SetTag("tappaas.proxy.error", error.ToString());

            var cause = Cause(context.Features.Get<IForwarderErrorFeature>()?.Exception);
            // Failed before the client got anything: no answer at all, or the guest died in the middle of one that the
            // proxy had not yet begun to pass on (its headers are still held here).
            var unanswered = error is ForwarderError.Request or ForwarderError.RequestTimedOut
                || (error is ForwarderError.ResponseBodyDestination && !context.Response.HasStarted);
            if (!unanswered)
            {
                // The guest answered, or the client went away: nothing to do again.
                log.Log(error.ToString().EndsWith("Destination", StringComparison.Ordinal) ? LogLevel.Warning : LogLevel.Debug,
                    "{Module}: {Guest} {Error}: {Cause}", route.Module, destination.Guest, error, cause);
                return;
            }

            _failedUntil[destination.Guest] = time.GetTimestamp() + (long)(Quarantine.TotalSeconds * time.TimestampFrequency);
            tried |= 1UL << index;
            var again = !context.Response.HasStarted && Bodiless(context.Request) && attempt < MaxAttempts && (int)ulong.PopCount(tried) < Math.Min(route.Destinations.Count, 64);
            log.LogWarning("{Module}: {Guest} failed {When} ({Cause}); out of the rotation for {Seconds} s, {Outcome}",
                route.Module, destination.Guest, error is ForwarderError.ResponseBodyDestination ? "in the middle of its answer" : "before answering", cause, Quarantine.TotalSeconds, again ? "the request goes to another guest" : $"the client got {context.Response.StatusCode}");
            if (!again)
            {
                return;
            }

            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status200OK;
            stats.Retried(route.Module);
        }
    }

    /// <summary>The next guest in turn that has not failed (now, or in this request); if every one has, the next not tried in this request.</summary>
    private int Pick(Upstream upstream, ulong tried)
    {
        var count = upstream.Route.Destinations.Count;
        var start = (int)((uint)Interlocked.Increment(ref upstream.Turn) % (uint)count);
        var fallback = -1;
        for (var i = 0; i < count; i++)
        {
            var index = (start + i) % count;
            if (index < 64 && (tried & (1UL << index)) != 0)
            {
                continue;
            }

            if (!Failed(upstream.Route.Destinations[index].Guest))
            {
                return index;
            }

            fallback = fallback < 0 ? index : fallback;
        }

        return fallback < 0 ? start : fallback;
    }

    private bool Failed(string guest)
    {
        if (_failedUntil.IsEmpty || !_failedUntil.TryGetValue(guest, out var until))
        {
            return false;
        }

        if (time.GetTimestamp() < until)
        {
            return true;
        }

        _failedUntil.TryRemove(new KeyValuePair<string, long>(guest, until));
        return false;
    }

    // The error and what lies under it ("An error occurred while sending the request." says little without "Connection reset by peer").
    private static string? Cause(Exception? error) =>
        error?.GetBaseException() is { } inner && inner != error && !error.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{error.Message} {inner.Message}" : error?.Message;

    // A request that can be sent again as it is: no body, and a method that means the same the second time.
    private static bool Bodiless(HttpRequest request) =>
        request.ContentLength is null or 0 && !request.Headers.ContainsKey("Transfer-Encoding")
        && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || HttpMethods.IsDelete(request.Method) || (HttpMethods.IsPut(request.Method) && request.ContentLength == 0));
}

/// <summary>A route as the proxy serves it: the route, each guest's address prefix, and whose turn is next.</summary>
internal sealed class Upstream(ProxyRoute route)
{
    public ProxyRoute Route { get; } = route;

    public string[] Prefixes { get; } = [.. route.Destinations.Select(d => d.Address.ToString())];

    public int Turn;
}

/// <summary>
/// The request headers a guest gets: the client's, with the guest's own host name (or the public one with
/// <c>proxyPreserveHost</c>), and X-Forwarded-For/-Proto/-Host and X-Real-IP telling it who asked for what (set, not
/// appended: a client cannot pass its own; its <c>Forwarded</c> header, which would claim the same, is dropped).
/// </summary>
internal sealed class ForwardedHeaders(bool keepHost) : HttpTransformer
{
    public static readonly ForwardedHeaders GuestHost = new(false);
    public static readonly ForwardedHeaders KeepHost = new(true);

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        if (!keepHost)
        {
            proxyRequest.Headers.Host = null;
        }

        var headers = proxyRequest.Headers;
        headers.Remove("X-Forwarded-For");
        headers.Remove("X-Forwarded-Proto");
        headers.Remove("X-Forwarded-Host");
        headers.Remove("X-Real-IP");
        headers.Remove("Forwarded");
        if (httpContext.Connection.RemoteIpAddress is { } client)
        {
            var address = (client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client).ToString();
            headers.TryAddWithoutValidation("X-Forwarded-For", address);
            headers.TryAddWithoutValidation("X-Real-IP", address);
        }

        headers.TryAddWithoutValidation("X-Forwarded-Proto", httpContext.Request.Scheme);
        headers.TryAddWithoutValidation("X-Forwarded-Host", httpContext.Request.Host.Value);
    }
}
