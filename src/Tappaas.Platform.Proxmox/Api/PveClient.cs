using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Tappaas.Platform.Proxmox.Api;

/// <summary>
/// A small, typed-enough Proxmox VE REST client: API-token auth, form-encoded bodies (booleans as 0/1), a timeout
/// and cancellation on every call, retries only for reads, task (UPID) polling with the task log on failure.
/// </summary>
public sealed class PveClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly PveClientOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates a client; <paramref name="handler"/> is the transport (tests pass the simulator).</summary>
    public PveClient(PveClientOptions options, TimeProvider time, HttpMessageHandler? handler = null)
    {
        _options = options;
        _time = time;
        _http = new HttpClient(handler ?? CreateHandler(options), disposeHandler: handler is null)
        {
            BaseAddress = new Uri(options.BaseAddress, "/api2/json/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("PVEAPIToken", $"{options.TokenId}={options.Secret}");
    }

    /// <summary>The options.</summary>
    public PveClientOptions Options => _options;

    /// <summary>One gate per node of this cluster: mutating operations on a node run one at a time.</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> NodeGates { get; } = new(StringComparer.Ordinal);

    /// <summary>VMIDs being created through this client, with the module creating each.</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<int, string> ReservedIds { get; } = new();

    /// <summary>GET; retried on connection failures, timeouts and 5xx answers.</summary>
    public async Task<JsonElement> GetAsync(string path, IReadOnlyDictionary<string, string>? query, CancellationToken cancellationToken)
    {
        var url = query is { Count: > 0 } ? $"{path.TrimStart('/')}?{Encode(query)}" : path.TrimStart('/');
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendAsync(HttpMethod.Get, url, null, cancellationToken);
            }
            catch (PveApiException ex) when (attempt < _options.ReadAttempts && (ex.StatusCode == 0 || ex.StatusCode >= 500))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), _time, cancellationToken);
            }
        }
    }

    /// <summary>POST (never retried: it may not be idempotent).</summary>
    public Task<JsonElement> PostAsync(string path, IReadOnlyDictionary<string, string>? form, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path.TrimStart('/'), form, cancellationToken);

    /// <summary>PUT.</summary>
    public Task<JsonElement> PutAsync(string path, IReadOnlyDictionary<string, string>? form, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, path.TrimStart('/'), form, cancellationToken);

    /// <summary>DELETE with query parameters.</summary>
    public Task<JsonElement> DeleteAsync(string path, IReadOnlyDictionary<string, string>? query, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, query is { Count: > 0 } ? $"{path.TrimStart('/')}?{Encode(query)}" : path.TrimStart('/'), null, cancellationToken);

    /// <summary>Waits for a task to stop; throws with the task's error and the end of its log when it failed or ran too long.</summary>
    public async Task WaitForTaskAsync(JsonElement upidValue, string what, CancellationToken cancellationToken)
    {
        if (upidValue.ValueKind != JsonValueKind.String)
        {
            return; // synchronous completion (e.g. async config that finished within background_delay)
        }

        var upid = Upid.TryParse(upidValue.GetString()) ?? throw new PveApiException($"{what}: Proxmox answered '{upidValue.GetString()}', which is not a task id");
        var deadline = _time.GetUtcNow() + _options.TaskTimeout;
        var encoded = Uri.EscapeDataString(upid.Value);
        while (true)
        {
            var status = await GetAsync($"nodes/{upid.Node}/tasks/{encoded}/status", null, cancellationToken);
            if (status.TryGetProperty("status", out var s) && s.GetString() == "stopped")
            {
                var exit = status.TryGetProperty("exitstatus", out var e) ? e.GetString() ?? "" : "";
                if (exit == "OK" || exit.StartsWith("WARNINGS: ", StringComparison.Ordinal))
                {
                    return;
                }

                throw new PveApiException($"{what} failed on {upid.Node}: {exit}{await LogTailAsync(upid, encoded, cancellationToken)}");
            }

            if (_time.GetUtcNow() > deadline)
            {
                throw new PveApiException($"{what} did not finish within {_options.TaskTimeout.TotalSeconds:0} s (task {upid.Value} is still running on {upid.Node})");
            }

            await Task.Delay(_options.PollInterval, _time, cancellationToken);
        }
    }

    private async Task<string> LogTailAsync(Upid upid, string encoded, CancellationToken cancellationToken)
    {
        try
        {
            var log = await GetAsync($"nodes/{upid.Node}/tasks/{encoded}/log", new Dictionary<string, string> { ["start"] = "0", ["limit"] = "500" }, cancellationToken);
            var lines = log.EnumerateArray().Select(l => l.TryGetProperty("t", out var t) ? t.GetString() : null).OfType<string>().TakeLast(5).ToList();
            return lines.Count == 0 ? "" : " (task log: " + string.Join(" | ", lines) + ")";
        }
        catch (PveApiException)
        {
            return "";
        }
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string url, IReadOnlyDictionary<string, string>? form, CancellationToken cancellationToken)
    {
        try
        {
            return await ExchangeAsync(method, url, form, cancellationToken);
        }
        finally
        {
            // The caller goes on on the thread pool, not on the socket's completion thread (the daemon may complete sockets
            // inline on their polling threads, where nothing may block).
            await Task.Yield();
        }
    }

    private async Task<JsonElement> ExchangeAsync(HttpMethod method, string url, IReadOnlyDictionary<string, string>? form, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        using var request = new HttpRequestMessage(method, url);
        if (form is not null)
        {
            request.Content = new StringContent(Encode(form), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PveApiException($"{method} /{url} got no answer within {_options.RequestTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException ex)
        {
            throw new PveApiException($"{method} /{url} failed: {ex.Message}");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new PveApiException($"{method} /{url} answered {(int)response.StatusCode} {Reason(response, body)}", (int)response.StatusCode);
            }

            using var doc = JsonDocument.Parse(body.Length == 0 ? "{}" : body);
            return doc.RootElement.TryGetProperty("data", out var data) ? data.Clone() : default;
        }
    }

    private static string Reason(HttpResponseMessage response, string body)
    {
        var reason = response.ReasonPhrase ?? "";
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                reason += ": " + string.Join("; ", errors.EnumerateObject().Select(p => $"{p.Name}: {p.Value}"));
            }
            else if (doc.RootElement.TryGetProperty("message", out var message))
            {
                reason += ": " + message;
            }
        }
        catch (JsonException)
        {
        }

        return reason;
    }

    private static string Encode(IReadOnlyDictionary<string, string> values) =>
        string.Join("&", values.Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value)}"));

    private static HttpMessageHandler CreateHandler(PveClientOptions options)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (options.Fingerprint is { } pin)
        {
            var expected = pin.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
                cert is not null && Convert.ToHexString(SHA256.HashData(cert.GetRawCertData())) == expected;
        }

        return handler;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    internal static bool IsNotFound(PveApiException ex) => ex.StatusCode == (int)HttpStatusCode.NotFound || ex.Message.Contains("does not exist", StringComparison.Ordinal);
}
