using Tappaas.Abstractions.Providers;

namespace Tappaas.Hooks;

/// <summary>
/// A service implemented by its module's hook scripts: <c>services/&lt;svc&gt;/{install,update,delete,test}-service.sh</c>
/// in the providing module's folder. Missing delete and test hooks are skipped (as upstream does); missing
/// install or update hooks are fatal.
/// </summary>
public sealed class HookScriptProvider(string providerFolder, HookRunner runner) : IResourceProvider
{
    /// <inheritdoc />
    public ProviderInfo Info => new("hooks", ProviderCapabilities.Test);

    /// <inheritdoc />
    public ValueTask<ReadResponse> ReadAsync(ProviderRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ReadResponse(false, request.ObjectName, "hook-script services cannot be observed; their install hooks are idempotent"));

    /// <inheritdoc />
    public ValueTask<OperationResult> InstallAsync(ProviderRequest request, CancellationToken cancellationToken) => RunAsync("install", request, required: true, cancellationToken);

    /// <inheritdoc />
    public ValueTask<OperationResult> UpdateAsync(ProviderRequest request, CancellationToken cancellationToken) => RunAsync("update", request, required: true, cancellationToken);

    /// <inheritdoc />
    public ValueTask<OperationResult> DeleteAsync(ProviderRequest request, CancellationToken cancellationToken) => RunAsync("delete", request, required: false, cancellationToken);

    /// <inheritdoc />
    public ValueTask<OperationResult> TestAsync(ProviderRequest request, CancellationToken cancellationToken) => RunAsync("test", request, required: false, cancellationToken);

    /// <summary>The hook script path for an operation.</summary>
    public string ScriptFor(string operation, string service) => Path.Combine(providerFolder, "services", service, $"{operation}-service.sh");

    private async ValueTask<OperationResult> RunAsync(string operation, ProviderRequest request, bool required, CancellationToken cancellationToken)
    {
        var script = ScriptFor(operation, request.Service.Service);
        if (!File.Exists(script))
        {
            return required
                ? OperationResult.Fail(OperationStatus.Fatal, $"{request.Service} has no {operation}-service.sh (looked for {script})")
                : OperationResult.Skip($"{request.Service} has no {operation}-service.sh");
        }

        return await runner.RunAsync(script, request.Consumer.Name, request.ConsumerFolder, request.SiteFolder, request.Flags, cancellationToken);
    }
}
