using Tappaas.Abstractions.Providers;
using Tappaas.Model.Loading;
using Tappaas.Platform.Embedded.Dns;
using Tappaas.Platform.Embedded.Workloads;

namespace Tappaas.Platform.Embedded;

/// <summary>
/// <c>firewall:proxy</c> on the embedded platform: checks what the daemon's reverse proxy will publish (a name, a
/// <c>proxyPort</c> the workload listens on, known zones in <c>proxyAllowedZones</c>) and puts the name in the site DNS;
/// the daemon's proxy picks the route up from the installed module. Test wants a ready guest behind the name.
/// </summary>
internal sealed class EmbeddedProxyProvider(EmbeddedPlatform platform) : IResourceProvider
{
    public ProviderInfo Info => new("embedded-proxy", ProviderCapabilities.Test);

    public ValueTask<ReadResponse> ReadAsync(ProviderRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ReadResponse(Problem(request) is null, request.ObjectName, Problem(request) ?? "publishable"));

    public async ValueTask<OperationResult> InstallAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        if (Problem(request) is { } problem)
        {
            return OperationResult.Fail(OperationStatus.Fatal, problem);
        }

        if ((await platform.Network.TryRefreshAsync(request.Consumer, null, cancellationToken)).Error is { } error)
        {
            return OperationResult.Fail(OperationStatus.Fatal, error);
        }

        return OperationResult.Ok($"{request.Consumer.Name} is published as https://{Host(request)}/ by the daemon's proxy");
    }

    public ValueTask<OperationResult> UpdateAsync(ProviderRequest request, CancellationToken cancellationToken) => InstallAsync(request, cancellationToken);

    public async ValueTask<OperationResult> DeleteAsync(ProviderRequest request, CancellationToken cancellationToken) =>
        (await platform.Network.TryRefreshAsync(null, request.Consumer.Name, cancellationToken)).Error is { } error
            ? OperationResult.Fail(OperationStatus.Fatal, error)
            : OperationResult.Ok($"{Host(request)} is no longer published");

    public ValueTask<OperationResult> TestAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var ready = platform.Runtime.GuestsOf(request.Consumer.Name).Count(g => platform.Runtime.State(g) is { Status: "running", Ready: true });
        return ValueTask.FromResult(ready > 0
            ? OperationResult.Ok($"{ready} ready guest(s) behind {Host(request)}")
            : OperationResult.Fail(OperationStatus.Fatal, $"no ready guest behind {Host(request)}; see tappaas status"));
    }

    private string? Host(ProviderRequest request) => DnsRecords.ProxyDomain(request.Consumer, SiteFiles.Read(Path.Combine(platform.SiteFolder, "config")).Site?.Domain);

    private string? Problem(ProviderRequest request)
    {
        var module = request.Consumer;
        if (Host(request) is null)
        {
            return $"{module.Name} has no public name: set \"proxyDomain\" in the module or \"domain\" in the site's configuration.json";
        }

        var port = (int)(module.Integer("proxyPort") ?? 80);
        if (WorkloadSpec.From(module) is { } workload && !workload.Ports.Values.Contains(port))
        {
            return $"$.proxyPort of {module.Name}: the workload listens on {string.Join(", ", workload.Ports.Values)}, not on {port}; set \"proxyPort\" to one of them";
        }

        var zones = SiteFiles.Read(Path.Combine(platform.SiteFolder, "config")).Zones;
        var unknown = module.Strings("proxyAllowedZones").Where(z => z != "internet" && zones?.Find(z) is null).ToList();
        return unknown.Count > 0
            ? $"$.proxyAllowedZones of {module.Name}: {string.Join(", ", unknown)} is not a zone of the site (nor \"internet\"); use zones from zones.json"
            : null;
    }
}
