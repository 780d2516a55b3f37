using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Tappaas.Client;

/// <summary>
/// A typed client of the daemon's API version 1. Every call returns the value or the daemon's problem (never throws
/// for an HTTP error or an unreachable daemon); streams end when the connection does.
/// </summary>
public sealed class TappaasClient : ISiteApi, IDisposable
{
    private static readonly JsonSerializerOptions s_json = ApiJson.Create();
    private readonly HttpClient _http;
    private readonly string _origin;

    /// <summary>A client of the daemon at <paramref name="connection"/> (through its Unix socket when it has one).</summary>
    public TappaasClient(ApiConnection connection)
        : this(connection.Socket is { } socket
                ? new HttpClient(LocalSocket.Handler(socket)) { BaseAddress = LocalSocket.BaseAddress, Timeout = Timeout.InfiniteTimeSpan }
                : new HttpClient(SiteTrust.Handler(connection.TrustedRoot)) { BaseAddress = connection.Url, Timeout = Timeout.InfiniteTimeSpan },
            connection.Token, connection.Socket is { } s ? $"{connection.Url} (through {s})" : null)
    {
    }

    /// <summary>A client over an existing HTTP client (its base address is the daemon's; <paramref name="origin"/> names it in messages).</summary>
    public TappaasClient(HttpClient http, string? token, string? origin = null)
    {
        _http = http;
        _origin = origin ?? http.BaseAddress?.ToString() ?? "the daemon";
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public string Origin => _origin;

    public Task<ApiResult<HealthV1>> HealthAsync(CancellationToken ct) => GetAsync<HealthV1>("api/v1/health", ct);

    public Task<ApiResult<SiteStatusV1>> StatusAsync(CancellationToken ct) => GetAsync<SiteStatusV1>("api/v1/status", ct);

    public Task<ApiResult<List<ModuleV1>>> ModulesAsync(CancellationToken ct) => GetAsync<List<ModuleV1>>("api/v1/modules", ct);

    public Task<ApiResult<ModuleDetailV1>> ModuleAsync(string name, CancellationToken ct) => GetAsync<ModuleDetailV1>($"api/v1/modules/{Esc(name)}", ct);

    public Task<ApiResult<List<RevisionV1>>> HistoryAsync(string name, CancellationToken ct) => GetAsync<List<RevisionV1>>($"api/v1/modules/{Esc(name)}/history", ct);

    public Task<ApiResult<RevisionDetailV1>> RevisionAsync(string name, int revision, CancellationToken ct) =>
        GetAsync<RevisionDetailV1>($"api/v1/modules/{Esc(name)}/revisions/{revision}", ct);

    public Task<ApiResult<List<EventV1>>> EventsAsync(long after, int limit, CancellationToken ct) => GetAsync<List<EventV1>>($"api/v1/events?after={after}&limit={limit}", ct);

    public Task<ApiResult<List<ZoneV1>>> ZonesAsync(CancellationToken ct) => GetAsync<List<ZoneV1>>("api/v1/zones", ct);

    public Task<ApiResult<List<NodeV1>>> NodesAsync(CancellationToken ct) => GetAsync<List<NodeV1>>("api/v1/nodes", ct);

    public Task<ApiResult<FirewallV1>> FirewallAsync(CancellationToken ct) => GetAsync<FirewallV1>("api/v1/firewall", ct);

    public Task<ApiResult<List<CatalogEntryV1>>> CatalogAsync(CancellationToken ct) => GetAsync<List<CatalogEntryV1>>("api/v1/catalog", ct);

    public Task<ApiResult<List<ProgressV1>>> JournalAsync(long run, CancellationToken ct) => GetAsync<List<ProgressV1>>($"api/v1/runs/{run}/journal", ct);

    /// <summary>Guests' output after the given positions (all of it when null), optionally only lines newer than <paramref name="since"/>.</summary>
    public Task<ApiResult<LogsV1>> LogsAsync(string name, DateTimeOffset? since, IReadOnlyDictionary<string, long>? after, CancellationToken ct)
    {
        var query = new List<string>();
        if (since is { } s)
        {
            query.Add("since=" + Uri.EscapeDataString(s.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
        }

        query.AddRange((after ?? new Dictionary<string, long>()).Select(p => $"after={Uri.EscapeDataString(p.Key)}:{p.Value}"));
        return GetAsync<LogsV1>($"api/v1/modules/{Esc(name)}/logs{(query.Count > 0 ? "?" + string.Join('&', query) : "")}", ct);
    }

    public Task<ApiResult<ApplyResultV1>> InstallAsync(IReadOnlyList<string> modules, bool force, CancellationToken ct, HookOptionsV1? hooks = null, IReadOnlyList<ModuleUploadV1>? uploads = null) =>
        SendAsync<ApplyResultV1>(HttpMethod.Post, "api/v1/install", new InstallRequestV1(modules, force, hooks?.Debug ?? false, hooks?.Silent ?? false, uploads), ct);

    public Task<ApiResult<ApplyResultV1>> UpdateAsync(string module, bool force, bool noSnapshot, CancellationToken ct, HookOptionsV1? hooks = null) =>
        SendAsync<ApplyResultV1>(HttpMethod.Post,
            $"api/v1/modules/{Esc(module)}/update?force={Bool(force)}&noSnapshot={Bool(noSnapshot)}&debug={Bool(hooks?.Debug ?? false)}&silent={Bool(hooks?.Silent ?? false)}", null, ct);

    public Task<ApiResult<TestResultV1>> TestAsync(string module, TestRequestV1 request, CancellationToken ct) =>
        SendAsync<TestResultV1>(HttpMethod.Post, $"api/v1/modules/{Esc(module)}/test", request, ct);

    public Task<ApiResult<ApplyResultV1>> DeleteAsync(string module, bool remove, bool force, CancellationToken ct) =>
        SendAsync<ApplyResultV1>(HttpMethod.Delete, $"api/v1/modules/{Esc(module)}?remove={Bool(remove)}&force={Bool(force)}", null, ct);

    public Task<ApiResult<ApplyResultV1>> ScaleAsync(string module, int replicas, CancellationToken ct) =>
        SendAsync<ApplyResultV1>(HttpMethod.Post, $"api/v1/modules/{Esc(module)}/scale", new ScaleRequestV1(replicas), ct);

    public Task<ApiResult<ApplyResultV1>> PromoteAsync(string module, CancellationToken ct) =>
        SendAsync<ApplyResultV1>(HttpMethod.Post, $"api/v1/modules/{Esc(module)}/promote", null, ct);

    public Task<ApiResult<ApplyResultV1>> RollbackAsync(string module, int? revision, CancellationToken ct) =>
        SendAsync<ApplyResultV1>(HttpMethod.Post, $"api/v1/modules/{Esc(module)}/rollback", new RollbackRequestV1(revision), ct);

    public Task<ApiResult<PlanV1>> PlanAsync(IReadOnlyList<string> modules, CancellationToken ct, IReadOnlyList<ModuleUploadV1>? uploads = null) =>
        SendAsync<PlanV1>(HttpMethod.Post, "api/v1/plan", new PlanRequestV1(modules, uploads), ct);

    public Task<ApiResult<ApplyResultV1>> ApplyAsync(PlanV1 plan, CancellationToken ct) => plan.Run is not { } run
        ? Task.FromResult<ApiResult<ApplyResultV1>>(new ApiProblem(400, ApiProblem.InvalidRequest, "the plan carries no run to apply; save one with 'tappaas plan --out FILE'", [], null))
        : SendAsync<ApplyResultV1>(HttpMethod.Post, "api/v1/apply", new ApplyRequestV1(plan.StateRevision, run), ct);

    public Task<ApiResult<ApplyResultV1>> ImportAsync(string folder, CancellationToken ct) =>
        SendAsync<ApplyResultV1>(HttpMethod.Post, "api/v1/import", new FolderRequestV1(folder), ct);

    public Task<ApiResult<ExportResultV1>> ExportAsync(string folder, CancellationToken ct) =>
        SendAsync<ExportResultV1>(HttpMethod.Post, "api/v1/export", new FolderRequestV1(folder), ct);

    public Task<ApiResult<MigrationV1>> MigrateAsync(string module, string? node, CancellationToken ct) =>
        SendAsync<MigrationV1>(HttpMethod.Post, $"api/v1/modules/{Esc(module)}/migrate", new MigrateRequestV1(node), ct);

    public Task<ApiResult<List<MigrationV1>>> EvacuateAsync(string node, CancellationToken ct) =>
        SendAsync<List<MigrationV1>>(HttpMethod.Post, $"api/v1/nodes/{Esc(node)}/evacuate", null, ct);

    public Task<ApiResult<List<string>>> SecretsAsync(CancellationToken ct) => GetAsync<List<string>>("api/v1/secrets", ct);

    public Task<ApiResult<bool>> RegistryLoginAsync(RegistryLoginV1 login, CancellationToken ct) => SendAsync<bool>(HttpMethod.Post, "api/v1/registries/login", login, ct);

    public Task<ApiResult<TokenCreatedV1>> CreateTokenAsync(TokenRequestV1 request, CancellationToken ct) => SendAsync<TokenCreatedV1>(HttpMethod.Post, "api/v1/tokens", request, ct);

    public Task<ApiResult<List<TokenV1>>> TokensAsync(CancellationToken ct) => GetAsync<List<TokenV1>>("api/v1/tokens", ct);

    public Task<ApiResult<bool>> RevokeTokenAsync(string name, CancellationToken ct) => SendAsync<bool>(HttpMethod.Delete, $"api/v1/tokens/{Esc(name)}", null, ct);

    public Task<ApiResult<bool>> RegistryLogoutAsync(string registry, CancellationToken ct) => SendAsync<bool>(HttpMethod.Delete, $"api/v1/registries/{Uri.EscapeDataString(registry)}", null, ct);

    public Task<ApiResult<List<ImageV1>>> ImagesAsync(CancellationToken ct) => GetAsync<List<ImageV1>>("api/v1/images", ct);

    public Task<ApiResult<List<string>>> PruneImagesAsync(CancellationToken ct) => SendAsync<List<string>>(HttpMethod.Post, "api/v1/images/prune", null, ct);

    public Task<ApiResult<bool>> SetSecretAsync(string name, string value, CancellationToken ct) =>
        SendAsync<bool>(HttpMethod.Put, $"api/v1/secrets/{Esc(name)}", new SecretRequestV1(value), ct);

    public Task<ApiResult<bool>> RemoveSecretAsync(string name, CancellationToken ct) =>
        SendAsync<bool>(HttpMethod.Delete, $"api/v1/secrets/{Esc(name)}", null, ct);

    public Task<ApiResult<ApplyResultV1>> ResumeAsync(CancellationToken ct) => SendAsync<ApplyResultV1>(HttpMethod.Post, "api/v1/resume", null, ct);

    public Task<ApiResult<BackupResultV1>> BackupSiteAsync(CancellationToken ct) => SendAsync<BackupResultV1>(HttpMethod.Post, "api/v1/site/backup", null, ct);

    public Task<ApiResult<List<BackupResultV1>>> RunDueBackupsAsync(CancellationToken ct) => SendAsync<List<BackupResultV1>>(HttpMethod.Post, "api/v1/backups/run-due", null, ct);

    public Task<ApiResult<BackupResultV1>> BackupAsync(string module, CancellationToken ct) =>
        SendAsync<BackupResultV1>(HttpMethod.Post, $"api/v1/modules/{Esc(module)}/backup", null, ct);

    public Task<ApiResult<BackupResultV1>> RestoreAsync(string module, string? snapshot, CancellationToken ct, string? asName = null)
    {
        var query = new List<string>();
        if (snapshot is not null)
        {
            query.Add("snapshot=" + Esc(snapshot));
        }

        if (asName is not null)
        {
            query.Add("as=" + Esc(asName));
        }

        return SendAsync<BackupResultV1>(HttpMethod.Post, $"api/v1/modules/{Esc(module)}/restore{(query.Count > 0 ? "?" + string.Join('&', query) : "")}", null, ct);
    }

    public Task<ApiResult<List<BackupStatusV1>>> BackupStatusAsync(CancellationToken ct) => GetAsync<List<BackupStatusV1>>("api/v1/backups/status", ct);

    public Task<ApiResult<List<BackupV1>>> BackupsAsync(string? module, CancellationToken ct) =>
        GetAsync<List<BackupV1>>($"api/v1/backups{(module is null ? "" : "?module=" + Esc(module))}", ct);

    public Task<ApiResult<BackupResultV1>> VerifyAsync(string module, CancellationToken ct) =>
        SendAsync<BackupResultV1>(HttpMethod.Post, $"api/v1/modules/{Esc(module)}/backup/verify", null, ct);

    /// <summary>
    /// Subscribes to new events (server-sent events); the returned stream yields them until cancelled or disconnected.
    /// Null when the daemon refused or cannot be reached.
    /// </summary>
    public Task<IAsyncEnumerable<EventV1>?> OpenEventsAsync(long? after, CancellationToken ct) =>
        OpenStreamAsync<EventV1>($"api/v1/events/stream{(after is { } a ? "?after=" + a : "")}", ct);

    /// <summary>
    /// Subscribes to the steps of runs running now or started from now on, as the journal records them; once this
    /// returns, no step of a later run is missed.
    /// </summary>
    public Task<IAsyncEnumerable<ProgressV1>?> OpenProgressAsync(CancellationToken ct) => OpenStreamAsync<ProgressV1>("api/v1/runs/progress", ct);

    public void Dispose() => _http.Dispose();

    private async Task<ApiResult<T>> GetAsync<T>(string path, CancellationToken ct) => await SendAsync<T>(HttpMethod.Get, path, null, ct);

    private async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, ApiJson.Info(s_json, body.GetType()));
        }

        try
        {
            using var response = await _http.SendAsync(request, ct);
            if (response.IsSuccessStatusCode)
            {
                return new ApiResult<T>(await response.Content.ReadFromJsonAsync(ApiJson.Info<T>(s_json), ct), null);
            }

            return await ProblemAsync(response, ct);
        }
        catch (HttpRequestException ex)
        {
            return Unreachable(ex);
        }
        catch (JsonException ex)
        {
            return new ApiProblem(0, "unexpected answer", $"the daemon at {_origin} answered {path} with something that is not API version 1 JSON ({ex.Message})", [], null);
        }
    }

    private async Task<IAsyncEnumerable<T>?> OpenStreamAsync<T>(string path, CancellationToken ct)
    {
        try
        {
            var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                response.Dispose();
                return null;
            }

            return ReadStreamAsync<T>(response, ct);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async IAsyncEnumerable<T> ReadStreamAsync<T>(HttpResponseMessage response, [EnumeratorCancellation] CancellationToken ct)
    {
        using (response)
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(ct);
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
                {
                    yield break;
                }

                if (line is null)
                {
                    yield break;
                }

                if (line.StartsWith("data: ", StringComparison.Ordinal) && JsonSerializer.Deserialize(line[6..], ApiJson.Info<T>(s_json)) is { } item)
                {
                    yield return item;
                }
            }
        }
    }

    private ApiProblem Unreachable(HttpRequestException ex) =>
        new(0, "the daemon cannot be reached", $"{_origin}: {ex.Message}; is it running ('tappaas up', or tappaasd --site DIR)?", [], null);

    private static async Task<ApiProblem> ProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        try
        {
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var root = doc.RootElement;
            var diagnostics = root.TryGetProperty("diagnostics", out var d) && d.ValueKind == JsonValueKind.Array
                ? d.Deserialize(ApiJson.Info<List<DiagnosticV1>>(s_json)) ?? []
                : [];
            long? run = root.TryGetProperty("runId", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetInt64() : null;
            return new ApiProblem(status, Text(root, "title") ?? response.ReasonPhrase ?? "error", Text(root, "detail") ?? AccessHint(status), diagnostics, run);
        }
        catch (JsonException)
        {
            return new ApiProblem(status, response.ReasonPhrase ?? "error", AccessHint(status), [], null);
        }
    }

    private static string? AccessHint(int status) => status switch
    {
        401 => "the daemon refused the API token: give a valid one in TAPPAAS_TOKEN or with --token-file",
        403 => "the API token's role may not do this: viewers read, operators also change modules, admins also manage tokens",
        _ => null,
    };

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Esc(string s) => Uri.EscapeDataString(s);

    private static string Bool(bool b) => b ? "true" : "false";
}
