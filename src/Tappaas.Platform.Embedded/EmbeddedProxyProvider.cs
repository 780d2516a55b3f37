using Tappaas.Abstractions.Providers;


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

    private static string? Host(ProviderRequest request) => request.Module.Proxy?.Host;

    private static string? Problem(ProviderRequest request)
    {
        var module = request.Module;
        if (module.Proxy is not { Host: not null } proxy)
        {
            return $"{module.Name} has no public name: set \"proxyDomain\" in the module or \"domain\" in the site's configuration.json";
        }

        if (proxy.PortProblem is { } port)
        {
            return port;
        }

        var unknown = (proxy.AllowedZones ?? []).Where(z => z != "internet" && request.Site.Zones?.Find(z) is null).ToList();
        return unknown.Count > 0
            ? $"$.proxyAllowedZones of {module.Name}: {string.Join(", ", unknown)} is not a zone of the site (nor \"internet\"); use zones from zones.json"
            : null;
    }
}
