namespace Tappaas.Abstractions.Providers;

/// <summary>
/// Implements one <c>module:service</c> on one backend. Every operation is idempotent: it reads before it creates,
/// uses <see cref="ExternalNames"/> for what it creates, and returns diagnostics instead of throwing for
/// expected failures. Providers never see the engine.
/// </summary>
/// <example>
/// <code>
/// var result = await provider.InstallAsync(new ProviderRequest(module, ServiceRef.Parse("cluster:vm"), folder, site, HookFlags.None), ct);
/// if (!result.Succeeded) { /* roll back */ }
/// </code>
/// </example>
public interface IResourceProvider
{
    /// <summary>Name and capabilities.</summary>
    ProviderInfo Info { get; }

    /// <summary>Observes whether the service's object for the consumer exists.</summary>
    ValueTask<ReadResponse> ReadAsync(ProviderRequest request, CancellationToken cancellationToken);

    /// <summary>Sets the service up for the consumer (upstream's install-service hook).</summary>
    ValueTask<OperationResult> InstallAsync(ProviderRequest request, CancellationToken cancellationToken);

    /// <summary>Converges the service to the consumer's definition (upstream's update-service hook).</summary>
    ValueTask<OperationResult> UpdateAsync(ProviderRequest request, CancellationToken cancellationToken);

    /// <summary>Removes the service's object for the consumer; removing what is absent succeeds.</summary>
    ValueTask<OperationResult> DeleteAsync(ProviderRequest request, CancellationToken cancellationToken);

    /// <summary>Checks the service for the consumer: Ok, Failed (exit 1) or Fatal (exit 2).</summary>
    ValueTask<OperationResult> TestAsync(ProviderRequest request, CancellationToken cancellationToken);
}
