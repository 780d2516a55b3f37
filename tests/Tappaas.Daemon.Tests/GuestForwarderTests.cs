using System.Net;
using Tappaas.Abstractions.Routing;
using Microsoft.AspNetCore.Http;
using Tappaas.Daemon.Proxy;
using Yarp.ReverseProxy.Forwarder;

namespace Tappaas.Daemon.Tests;

/// <summary>
/// The proxy's choice of guest, with YARP's forwarder replaced by one that records where a request went and fails for
/// the guests told to: round robin, a retry on another guest for a request without a body, passive health (a failed
/// guest sits out <see cref="GuestForwarder.Quarantine"/> on the proxy's clock), and never no guest at all.
/// </summary>
public sealed class GuestForwarderTests
{
    [Fact]
    public async Task Requests_take_the_guests_in_turn()
    {
        var (forwarder, sent, _, _) = Create();
        var upstream = Upstream("a", "b", "c");
        for (var i = 0; i < 6; i++)
        {
            await forwarder.ForwardAsync(Get(), upstream);
        }

        Assert.Equal(["b", "c", "a", "b", "c", "a"], sent.Guests);
    }

    [Fact]
    public async Task A_get_that_fails_before_an_answer_is_answered_by_another_guest_and_the_failed_one_sits_out_its_quarantine()
    {
        var (forwarder, sent, stats, clock) = Create();
        var upstream = Upstream("a", "b");
        sent.Failing.Add("b");

        var context = Get();
        await forwarder.ForwardAsync(context, upstream);
        Assert.Equal(["b", "a"], sent.Guests); // b's turn first, then a for the same request
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Null(context.Features.Get<IForwarderErrorFeature>());
        Assert.Equal(1, stats.Of("web").Retries);

        sent.Failing.Clear(); // b is back, but the proxy does not know it yet
        sent.Guests.Clear();
        for (var i = 0; i < 4; i++)
        {
            await forwarder.ForwardAsync(Get(), upstream);
        }

        Assert.Equal(["a", "a", "a", "a"], sent.Guests);

        clock.Advance(GuestForwarder.Quarantine);
        sent.Guests.Clear();
        for (var i = 0; i < 2; i++)
        {
            await forwarder.ForwardAsync(Get(), upstream);
        }

        Assert.Contains("b", sent.Guests);
    }

    [Fact]
    public async Task A_get_whose_guest_dies_in_the_middle_of_an_answer_not_yet_passed_on_is_answered_by_another_guest()
    {
        var (forwarder, sent, stats, _) = Create();
        var upstream = Upstream("a", "b");
        sent.DyingMidAnswer.Add("b");

        var context = Get();
        await forwarder.ForwardAsync(context, upstream);

        Assert.Equal(["b", "a"], sent.Guests);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.False(context.Response.Headers.ContainsKey("X-Half"), "the dead guest's headers reached the client");
        Assert.Equal(1, stats.Of("web").Retries);
    }

    [Fact]
    public async Task A_request_with_a_body_is_not_sent_twice()
    {
        var (forwarder, sent, stats, _) = Create();
        var upstream = Upstream("a", "b");
        sent.Failing.Add("b");
        var context = Get();
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentLength = 5;

        await forwarder.ForwardAsync(context, upstream);

        Assert.Equal(["b"], sent.Guests);
        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
        Assert.Equal(0, stats.Of("web").Retries);
    }

    [Fact]
    public async Task When_every_guest_has_failed_they_are_tried_again_rather_than_none_and_each_once_per_request()
    {
        var (forwarder, sent, _, _) = Create();
        var upstream = Upstream("a", "b", "c");
        sent.Failing.UnionWith(["a", "b", "c"]);

        var context = Get();
        await forwarder.ForwardAsync(context, upstream);
        Assert.Equal(3, sent.Guests.Count);
        Assert.Equal(3, sent.Guests.Distinct().Count());
        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);

        sent.Failing.Clear();
        sent.Guests.Clear();
        var next = Get();
        await forwarder.ForwardAsync(next, upstream); // all in quarantine: still sent to one of them
        Assert.Single(sent.Guests);
        Assert.Equal(StatusCodes.Status200OK, next.Response.StatusCode);
    }

    private static (GuestForwarder Forwarder, RecordingForwarder Sent, ProxyStats Stats, ManualClock Clock) Create()
    {
        var sent = new RecordingForwarder();
        var stats = new ProxyStats();
        var clock = new ManualClock();
        return (new GuestForwarder(sent, new UpstreamClientFactory(), stats, clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<GuestForwarder>.Instance), sent, stats, clock);
    }

    private static Upstream Upstream(params string[] guests) =>
        new(new ProxyRoute("web", "web.example.org", [.. guests.Select((g, i) => new ProxyDestination(g, new Uri($"http://10.9.0.{i + 1}:8080/")))], ["mgmt"], false, false, false));

    private static DefaultHttpContext Get()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("web.example.org");
        return context;
    }

    /// <summary>
    /// Answers 200, or fails before any answer (as YARP does: 502 and the error feature) for the guests in
    /// <see cref="Failing"/>, or after copying an answer's headers but before the client got them for the guests in
    /// <see cref="DyingMidAnswer"/> (YARP's ResponseBodyDestination with the response not started).
    /// </summary>
    private sealed class RecordingForwarder : IHttpForwarder
    {
        public HashSet<string> Failing { get; } = [];

        public HashSet<string> DyingMidAnswer { get; } = [];

        public List<string> Guests { get; } = [];

        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer) =>
            SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer, CancellationToken.None);

        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken)
        {
            var guest = ((char)('a' + int.Parse(new Uri(destinationPrefix).Host.Split('.')[3], System.Globalization.CultureInfo.InvariantCulture) - 1)).ToString();
            Guests.Add(guest);
            if (Failing.Contains(guest))
            {
                context.Response.StatusCode = StatusCodes.Status502BadGateway;
                context.Features.Set<IForwarderErrorFeature>(new Failure());
                return ValueTask.FromResult(ForwarderError.Request);
            }

            if (DyingMidAnswer.Contains(guest))
            {
                context.Response.Headers["X-Half"] = "copied from the guest's answer";
                context.Response.StatusCode = StatusCodes.Status502BadGateway;
                context.Features.Set<IForwarderErrorFeature>(new Failure(ForwarderError.ResponseBodyDestination));
                return ValueTask.FromResult(ForwarderError.ResponseBodyDestination);
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
            return ValueTask.FromResult(ForwarderError.None);
        }

        private sealed class Failure(ForwarderError error = ForwarderError.Request) : IForwarderErrorFeature
        {
            public ForwarderError Error => error;

            public Exception? Exception { get; } = new HttpRequestException("connection refused");
        }
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
