using Tappaas.Abstractions.Providers;
using Tappaas.Platform.Embedded.Network.Firewall;


namespace Tappaas.Platform.Embedded;

/// <summary>
/// <c>firewall:rules</c> on the embedded platform: the consumer's ingress, egress and pinholes become part of the site's
/// nftables table (recompiled whole and replaced atomically); delete recompiles without them, so they really disappear.
/// A declaration error fails the step with its JSON path and leaves the previous rules of the module in force.
/// </summary>
internal sealed class EmbeddedRulesProvider(EmbeddedPlatform platform) : IResourceProvider
{
    public ProviderInfo Info => new("embedded-firewall", ProviderCapabilities.Test);

    public async ValueTask<ReadResponse> ReadAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var live = platform.Isolate ? await platform.Network.LiveRulesetAsync(cancellationToken) : null;
        var count = live is null ? 0 : Comments(request).Count(live.Contains);
        return new ReadResponse(count > 0, request.ObjectName, live is null ? "no site ruleset" : $"{count} rule(s) of {request.Consumer.VmName} in force");
    }

    public async ValueTask<OperationResult> InstallAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var (policy, error) = await platform.Network.TryRefreshAsync(request.Consumer, null, cancellationToken);
        if (policy is null)
        {
            return OperationResult.Fail(OperationStatus.Fatal, error!);
        }

        var issues = policy.IssuesOf(request.Consumer.Name).ToList();
        if (issues.Any(i => i.IsError))
        {
            return OperationResult.Fail(OperationStatus.Fatal, string.Join("; ", issues.Where(i => i.IsError)));
        }

        var mine = policy.ModuleRules.Count(r => Owns(request, r));
        var note = platform.Isolate ? "" : " (isolation: none — loopback guests are not filtered)";
        var warnings = issues.Count > 0 ? "; " + string.Join("; ", issues) : "";
        return OperationResult.Ok($"{mine} rule(s) for {request.Consumer.VmName}{note}{warnings}");
    }

    public ValueTask<OperationResult> UpdateAsync(ProviderRequest request, CancellationToken cancellationToken) => InstallAsync(request, cancellationToken);

    public async ValueTask<OperationResult> DeleteAsync(ProviderRequest request, CancellationToken cancellationToken) =>
        (await platform.Network.TryRefreshAsync(null, request.Consumer.Name, cancellationToken)).Error is { } error
            ? OperationResult.Fail(OperationStatus.Fatal, error)
            : OperationResult.Ok($"rules of {request.Consumer.VmName} removed");

    public async ValueTask<OperationResult> TestAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var wanted = Comments(request).ToList();
        if (!platform.Isolate)
        {
            return OperationResult.Ok("isolation: none — nothing to verify");
        }

        var live = await platform.Network.LiveRulesetAsync(cancellationToken) ?? "";
        var missing = wanted.Where(c => !live.Contains(c, StringComparison.Ordinal)).ToList();
        return missing.Count == 0
            ? OperationResult.Ok($"{wanted.Count} rule(s) of {request.Consumer.VmName} in force")
            : OperationResult.Fail(OperationStatus.Fatal, $"rules missing from the live ruleset: {string.Join(", ", missing)}");
    }

    private IEnumerable<string> Comments(ProviderRequest request) =>
        platform.Network.Compile(request.Consumer, null).Policy.ModuleRules.Where(r => Owns(request, r)).Select(r => r.Comment);

    private static bool Owns(ProviderRequest request, FilterRule rule) =>
        rule.Comment.StartsWith($"tappaas-module:{request.Consumer.VmName}:", StringComparison.Ordinal)
        || rule.Comment.StartsWith($"tappaas-svcdep:{request.Consumer.VmName}:", StringComparison.Ordinal);
}
