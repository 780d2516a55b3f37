using System.Text.Json;
using System.Text.Json.Nodes;
using Tappaas.Abstractions.Providers;
using Tappaas.IO;

namespace Tappaas.Providers.Fake;

/// <summary>
/// A real provider with scripted behaviour, for engine tests and demonstrations. Its "external objects" are files
/// in <c>&lt;site&gt;/fake/objects/</c> named by <see cref="ExternalNames"/>, so a test (or a crash harness in another
/// process) can look for orphans. Behaviour (delays, failure on the Nth call, flapping tests) comes from
/// <c>&lt;site&gt;/fake/script.json</c>; call counts persist across processes. Every call is appended to
/// <c>&lt;site&gt;/fake/calls.log</c>.
/// </summary>
public sealed class FakeProvider(string siteFolder, TimeProvider time) : IResourceProvider, ISnapshotProvider
{
    private static readonly Lock s_gate = new();

    private string Root => Path.Combine(siteFolder, "fake");

    private string Objects => Path.Combine(Root, "objects");

    /// <inheritdoc />
    public ProviderInfo Info => new("fake", ProviderCapabilities.Snapshot | ProviderCapabilities.Test | ProviderCapabilities.Observe);

    /// <inheritdoc />
    public ValueTask<ReadResponse> ReadAsync(ProviderRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ReadResponse(File.Exists(ObjectPath(request.ObjectName)), request.ObjectName));

    /// <inheritdoc />
    public async ValueTask<OperationResult> InstallAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        if (await ScriptedAsync("install", request, cancellationToken) is { } failure)
        {
            return failure;
        }

        var path = ObjectPath(request.ObjectName);
        if (File.Exists(path))
        {
            return OperationResult.Ok($"{request.ObjectName} exists already; adopted");
        }

        WriteObject(request);
        return OperationResult.Ok($"created {request.ObjectName}");
    }

    /// <inheritdoc />
    public async ValueTask<OperationResult> UpdateAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        if (await ScriptedAsync("update", request, cancellationToken) is { } failure)
        {
            return failure;
        }

        WriteObject(request);
        return OperationResult.Ok($"converged {request.ObjectName}");
    }

    /// <inheritdoc />
    public async ValueTask<OperationResult> DeleteAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        if (await ScriptedAsync("delete", request, cancellationToken) is { } failure)
        {
            return failure;
        }

        File.Delete(ObjectPath(request.ObjectName));
        return OperationResult.Ok($"removed {request.ObjectName}");
    }

    /// <inheritdoc />
    public async ValueTask<OperationResult> TestAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        if (await ScriptedAsync("test", request, cancellationToken) is { } failure)
        {
            return failure;
        }

        return File.Exists(ObjectPath(request.ObjectName))
            ? OperationResult.Ok($"{request.ObjectName} present")
            : OperationResult.Fail(OperationStatus.Fatal, $"{request.ObjectName} is missing");
    }

    /// <inheritdoc />
    public async ValueTask<string> CreateSnapshotAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        if (await ScriptedAsync("snapshot", request, cancellationToken) is { } failure)
        {
            throw new InvalidOperationException(failure.Message);
        }

        var id = $"tappaas-{time.GetUtcNow():yyyyMMdd-HHmmssfff}";
        var dir = Path.Combine(Root, "snapshots", request.Consumer.Name, id);
        Directory.CreateDirectory(dir);
        foreach (var f in ObjectsOf(request.Consumer.Name))
        {
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)), overwrite: true);
        }

        return id;
    }

    /// <inheritdoc />
    public async ValueTask<OperationResult> RestoreSnapshotAsync(ProviderRequest request, string snapshotId, CancellationToken cancellationToken)
    {
        if (await ScriptedAsync("restore", request, cancellationToken) is { } failure)
        {
            return failure;
        }

        var dir = Path.Combine(Root, "snapshots", request.Consumer.Name, snapshotId);
        if (!Directory.Exists(dir))
        {
            return OperationResult.Fail(OperationStatus.Fatal, $"snapshot {snapshotId} of {request.Consumer.Name} does not exist");
        }

        foreach (var f in ObjectsOf(request.Consumer.Name))
        {
            File.Delete(f);
        }

        foreach (var f in Directory.GetFiles(dir))
        {
            File.Copy(f, Path.Combine(Objects, Path.GetFileName(f)), overwrite: true);
        }

        return OperationResult.Ok($"restored {snapshotId}");
    }

    /// <inheritdoc />
    public ValueTask PruneSnapshotsAsync(ProviderRequest request, int keep, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(Root, "snapshots", request.Consumer.Name);
        if (Directory.Exists(dir))
        {
            foreach (var old in Directory.GetDirectories(dir).Order(StringComparer.Ordinal).SkipLast(keep))
            {
                Directory.Delete(old, recursive: true);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Names of every object that exists (for orphan checks).</summary>
    public static IReadOnlyList<string> ListObjects(string siteFolder)
    {
        var dir = Path.Combine(siteFolder, "fake", "objects");
        return Directory.Exists(dir) ? [.. Directory.GetFiles(dir, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)] : [];
    }

    private IEnumerable<string> ObjectsOf(string consumer) =>
        Directory.Exists(Objects) ? Directory.GetFiles(Objects, $"tappaas-{consumer.ToLowerInvariant()}--*.json") : [];

    private string ObjectPath(string name) => Path.Combine(Objects, name + ".json");

    private void WriteObject(ProviderRequest request)
    {
        Directory.CreateDirectory(Objects);
        var path = ObjectPath(request.ObjectName);
        AtomicFile.Write(path, new JsonObject { ["consumer"] = request.Consumer.Name, ["service"] = request.Service.ToString(), ["fields"] = request.Consumer.Fields.Count }.ToJsonString());
    }

    private async Task<OperationResult?> ScriptedAsync(string operation, ProviderRequest request, CancellationToken cancellationToken)
    {
        var service = request.Service.ToString();
        int call;
        FakeRule[] rules;
        lock (s_gate)
        {
            Directory.CreateDirectory(Root);
            File.AppendAllText(Path.Combine(Root, "calls.log"), $"{operation} {request.Consumer.Name} {service}\n");
            rules = LoadRules().Where(r => r.Matches(request.Consumer.Name, service, operation)).ToArray();
            call = rules.Length == 0 ? 0 : NextCall($"{request.Consumer.Name}_{service.Replace(':', '_')}_{operation}");
        }

        foreach (var rule in rules)
        {
            if (rule.DelayMs > 0)
            {
                await Task.Delay(rule.DelayMs, cancellationToken);
            }

            if (rule.FailAlways || rule.FailOnCall == call || (rule.Flap && call % 2 == 0))
            {
                return OperationResult.Fail((OperationStatus)Math.Clamp(rule.Status, 1, 2), $"fake {operation} of {service} for {request.Consumer.Name} failed (scripted, call {call})");
            }
        }

        return null;
    }

    private FakeRule[] LoadRules()
    {
        var path = Path.Combine(Root, "script.json");
        if (!File.Exists(path))
        {
            return [];
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.TryGetProperty("rules", out var rules) ? rules.Deserialize(FakeJson.Default.FakeRuleArray) ?? [] : [];
    }

    private int NextCall(string key)
    {
        var dir = Path.Combine(Root, "calls");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, key);
        var count = File.Exists(path) && int.TryParse(File.ReadAllText(path), out var n) ? n + 1 : 1;
        AtomicFile.Write(path, count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return count;
    }
}
