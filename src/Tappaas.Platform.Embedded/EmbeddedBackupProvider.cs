using Tappaas.Abstractions.Providers;
using Tappaas.Platform.Embedded.Backup;


namespace Tappaas.Platform.Embedded;

/// <summary>
/// <c>backup:vm</c> on the embedded platform: install and update check the module's schedule and retention and make sure
/// the site repository is there; backups themselves run on schedule (<c>tappaas backup run-due</c>) or on request.
/// Delete keeps the module's backups. Test, like upstream's, wants a backup younger than 48 hours (a module installed
/// less than 48 hours ago may have none yet).
/// </summary>
internal sealed class EmbeddedBackupProvider(EmbeddedPlatform platform) : IResourceProvider
{
    private static readonly TimeSpan s_maxAge = TimeSpan.FromHours(48);

    public ProviderInfo Info => new("embedded-backup", ProviderCapabilities.Test);

    private BackupService Service => new(platform, null);

    public async ValueTask<ReadResponse> ReadAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var snapshots = await Service.ListAsync(request.Consumer.Name, cancellationToken);
            return new ReadResponse(snapshots.Count > 0, request.ObjectName, $"{snapshots.Count} backup(s)");
        }
        catch (ResticException ex)
        {
            return new ReadResponse(false, request.ObjectName, ex.Message);
        }
    }

    public async ValueTask<OperationResult> InstallAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var service = Service;
        var (policy, error) = BackupPolicy.For(request.Consumer, service.SiteDefaults());
        if (policy is null)
        {
            return OperationResult.Fail(OperationStatus.Fatal, error!);
        }

        try
        {
            var repository = await service.RepositoryAsync(cancellationToken);
            return OperationResult.Ok($"{request.Consumer.Name} backed up to {repository.Location} on \"{policy.ScheduleText}\", keeping {policy.Retention}" +
                (policy.VerifyText is { } v ? $", restore verified on \"{v}\"" : ""));
        }
        catch (ResticException ex)
        {
            return OperationResult.Fail(OperationStatus.Fatal, ex.Message);
        }
    }

    public ValueTask<OperationResult> UpdateAsync(ProviderRequest request, CancellationToken cancellationToken) => InstallAsync(request, cancellationToken);

    public ValueTask<OperationResult> DeleteAsync(ProviderRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(OperationResult.Ok($"the backups of {request.Consumer.Name} are kept (tappaas backups {request.Consumer.Name} lists them)"));

    public async ValueTask<OperationResult> TestAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var snapshots = await Service.ListAsync(request.Consumer.Name, cancellationToken);
            if (snapshots.Count == 0)
            {
                // A module installed less than 48 h ago cannot be behind its schedule yet: no backup is not a failure.
                var installed = request.Consumer.Text("installTime") is { } t && DateTimeOffset.TryParseExact(t, "yyyyMMdd-HH:mm:ss",
                    System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null;
                return installed is { } i && platform.Time.GetUtcNow() - i < s_maxAge
                    ? OperationResult.Ok($"{request.Consumer.Name} has no backup yet (installed {(platform.Time.GetUtcNow() - i).TotalHours:0.0} h ago; tappaas backup {request.Consumer.Name} makes one now)")
                    : OperationResult.Fail(OperationStatus.Fatal, $"{request.Consumer.Name} has no backup yet; run tappaas backup {request.Consumer.Name}");
            }

            var age = platform.Time.GetUtcNow() - snapshots[^1].Time;
            return age <= s_maxAge
                ? OperationResult.Ok($"newest backup {snapshots[^1].ShortId} is {age.TotalHours:0.0} h old")
                : OperationResult.Fail(OperationStatus.Fatal, $"newest backup of {request.Consumer.Name} is {age.TotalHours:0} h old (more than 48 h): are scheduled backups running (tappaas backup run-due)?");
        }
        catch (ResticException ex)
        {
            return OperationResult.Fail(OperationStatus.Fatal, ex.Message);
        }
    }
}
