using System.Collections.Concurrent;
using System.Diagnostics;

namespace Tappaas.TestUtilities;

/// <summary>
/// A steady stream of GET requests at a fixed rate (open loop: a slow answer does not slow the stream), counting
/// answers by outcome so a phase of it — a rolling update, a crash, a scale — can be judged by its failed requests.
/// </summary>
public sealed class SteadyLoad : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly Uri _url;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _inFlight = [];
    private readonly ConcurrentDictionary<string, int> _bodies = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly Task _loop;
    private long _sent;
    private long _ok;
    private long _failed;
    private long _slowestTicks;

    public SteadyLoad(HttpClient client, Uri url, int perSecond)
    {
        _client = client;
        _url = url;
        _loop = Task.Run(() => RunAsync(TimeSpan.FromSeconds(1.0 / perSecond)));
    }

    /// <summary>Counts so far (sent, answered 2xx, failed: another status or no answer).</summary>
    public (long Sent, long Ok, long Failed) Counts => (Interlocked.Read(ref _sent), Interlocked.Read(ref _ok), Interlocked.Read(ref _failed));

    /// <summary>Distinct 2xx bodies seen since the last call, with how often (e.g. which versions answered).</summary>
    public IReadOnlyDictionary<string, int> TakeBodies()
    {
        var seen = _bodies.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        _bodies.Clear();
        return seen;
    }

    /// <summary>Up to ten failures (each with how long it took), for the assertion message.</summary>
    public string Failures => string.Join("; ", _failures.Take(10));

    /// <summary>The slowest answer or failure since the last call.</summary>
    public TimeSpan TakeSlowest() => TimeSpan.FromTicks(Interlocked.Exchange(ref _slowestTicks, 0));

    /// <summary>Runs <paramref name="phase"/> under the load and returns the requests sent, answered and failed meanwhile (waiting for those in flight).</summary>
    public async Task<(long Sent, long Ok, long Failed)> DuringAsync(Func<Task> phase, TimeSpan settle)
    {
        var before = Counts;
        await phase();
        await Task.Delay(settle);
        await Task.WhenAll(_inFlight.ToArray());
        var after = Counts;
        return (after.Sent - before.Sent, after.Ok - before.Ok, after.Failed - before.Failed);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await Task.WhenAll(_inFlight.ToArray());
        _stop.Dispose();
    }

    private async Task RunAsync(TimeSpan interval)
    {
        var clock = Stopwatch.StartNew();
        for (long i = 0; !_stop.IsCancellationRequested; i++)
        {
            var wait = interval * i - clock.Elapsed; // read the clock once: it moves between a check and a second read
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _sent);
            _inFlight.Add(OneAsync());
        }
    }

    private async Task OneAsync()
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _client.GetAsync(_url).ConfigureAwait(false);
            var body = (await response.Content.ReadAsStringAsync().ConfigureAwait(false)).Trim();
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _ok);
                _bodies.AddOrUpdate(body, 1, (_, n) => n + 1);
            }
            else
            {
                Interlocked.Increment(ref _failed);
                _failures.Enqueue($"{(int)response.StatusCode} {body[..Math.Min(body.Length, 120)]} after {Took(started)}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            Interlocked.Increment(ref _failed);
            _failures.Enqueue($"{ex.Message} after {Took(started)}");
        }
        finally
        {
            var ticks = Stopwatch.GetElapsedTime(started).Ticks;
            for (var seen = Interlocked.Read(ref _slowestTicks); ticks > seen; seen = Interlocked.Read(ref _slowestTicks))
            {
                if (Interlocked.CompareExchange(ref _slowestTicks, ticks, seen) == seen)
                {
                    break;
                }
            }
        }
    }

    private static string Took(long started) => $"{Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s";
}
