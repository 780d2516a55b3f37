using Tappaas.Platform.Embedded.Network;
using Tappaas.Abstractions.Providers;
using Tappaas.Model.Loading;
using Tappaas.Platform.Embedded.Network.Dns;


namespace Tappaas.Platform.Embedded;

/// <summary>
/// <c>firewall:dns</c> on the embedded platform: the consumer's guests are named <c>&lt;vmname&gt;.&lt;zone&gt;.internal</c>
/// by the site's DNS server on the zone gateways; install and test ask that server and compare with the guests' addresses.
/// </summary>
internal sealed class EmbeddedDnsProvider(EmbeddedPlatform platform) : IResourceProvider
{
    public ProviderInfo Info => new("embedded-dns", ProviderCapabilities.Test);

    public async ValueTask<ReadResponse> ReadAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var problem = await CheckAsync(request, cancellationToken);
        return new ReadResponse(problem is null, Name(request), problem ?? "answers");
    }

    public async ValueTask<OperationResult> InstallAsync(ProviderRequest request, CancellationToken cancellationToken) =>
        (await platform.Network.TryRefreshAsync(request.Consumer, null, cancellationToken)).Error is { } error
            ? OperationResult.Fail(OperationStatus.Fatal, error)
            : await TestAsync(request, cancellationToken);

    public ValueTask<OperationResult> UpdateAsync(ProviderRequest request, CancellationToken cancellationToken) => InstallAsync(request, cancellationToken);

    public async ValueTask<OperationResult> DeleteAsync(ProviderRequest request, CancellationToken cancellationToken) =>
        (await platform.Network.TryRefreshAsync(null, request.Consumer.Name, cancellationToken)).Error is { } error
            ? OperationResult.Fail(OperationStatus.Fatal, error)
            : OperationResult.Ok($"{Name(request)} removed");

    public async ValueTask<OperationResult> TestAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var problem = await CheckAsync(request, cancellationToken);
        return problem is null ? OperationResult.Ok($"{Name(request)} answers with the guests' addresses") : OperationResult.Fail(OperationStatus.Fatal, problem);
    }

    private static string Name(ProviderRequest request) => $"{request.Consumer.VmName}.{request.Consumer.Zone0}.internal";

    private async Task<string?> CheckAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        if (!platform.Isolate)
        {
            return null; // loopback guests are reached by port, not by name
        }

        var zone = SiteFiles.Read(Path.Combine(platform.SiteFolder, "config")).Zones?.Find(request.Consumer.Zone0);
        if (zone?.Ip is null)
        {
            return $"zone \"{request.Consumer.Zone0}\" has no subnet in zones.json";
        }

        var expected = platform.Network.AddressesOf(request.Consumer.Name);
        if (expected.Count == 0)
        {
            return $"{request.Consumer.Name} has no guests to name; install its cluster:vm first";
        }

        var gateway = SiteNetwork.GatewayAddress(zone);
        if (!await DnsServer.WaitAnsweringAsync(gateway, Name(request), TimeSpan.FromSeconds(5), cancellationToken))
        {
            return $"the site DNS server on {gateway} does not answer";
        }

        var answer = await DnsLookup.QueryAsync(gateway, Name(request), TimeSpan.FromSeconds(2), cancellationToken);
        var got = answer?.Select(a => a.ToString()).Order(StringComparer.Ordinal).ToList() ?? [];
        return got.SequenceEqual(expected) ? null : $"{Name(request)} resolves to [{string.Join(", ", got)}], expected [{string.Join(", ", expected)}]";
    }
}
