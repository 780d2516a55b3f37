using Tappaas.Abstractions.Providers;
using Tappaas.Model.Diagnostics;
using Tappaas.Platform.Proxmox.Api;

namespace Tappaas.Platform.Proxmox;

/// <summary>Turns a failed Proxmox call or a module the cluster cannot take into a diagnostic naming the service and module.</summary>
internal static class ProviderGuard
{
    public static async ValueTask<OperationResult> RunAsync(string service, ProviderRequest request, Func<Task<OperationResult>> body, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return await body();
        }
        catch (PveApiException ex)
        {
            return new OperationResult(OperationStatus.Fatal, [Diagnostic.Error(DiagnosticCodes.BackendRefused, request.Consumer.LocationOf(request.Service), $"{service} for \"{request.Consumer.Name}\": {ex.Message}",
                ex.IsLockHeld ? "another operation holds the guest's lock; retry when it has finished" : "see the task log on the node")], "");
        }
        catch (ArgumentException ex)
        {
            return new OperationResult(OperationStatus.Fatal, [Diagnostic.Error(DiagnosticCodes.BackendCannotPlace, request.Consumer.LocationOf(request.Service), $"{service} for \"{request.Consumer.Name}\": {ex.Message}",
                "fix the module or the site's zones.json / configuration.json")], "");
        }
    }
}
