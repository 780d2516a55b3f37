using Tappaas.Client;

namespace Tappaas.Composition;

public sealed partial class SiteApi
{
    /// <summary>Records the modules of an upstream config folder (on this host) in the site; runs nothing.</summary>
    public async Task<ApiResult<ApplyResultV1>> ImportAsync(string folder, CancellationToken ct) =>
        !Directory.Exists(folder)
            ? Problem(400, ApiProblem.InvalidRequest, $"folder: {folder} is not a folder on {Environment.MachineName}; give an upstream TAPPaaS config folder (configuration.json, zones.json, <module>.json)")
            : Outcome(await site.Engine.ImportAsync(Path.GetFullPath(folder), ct));

    /// <summary>Writes the site in the upstream config folder layout to a folder on this host.</summary>
    public async Task<ApiResult<ExportResultV1>> ExportAsync(string folder, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(folder))
        {
            return Problem(400, ApiProblem.InvalidRequest, "folder: name the folder to write the config folder to");
        }

        var full = Path.GetFullPath(folder);
        try
        {
            return Ok(new ExportResultV1(full, await site.Engine.ExportAsync(full, ct)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Problem(400, ApiProblem.InvalidRequest, $"folder: {full} cannot be written ({ex.Message})");
        }
    }

    public Task<ApiResult<List<string>>> SecretsAsync(CancellationToken ct) => Task.FromResult(Ok(SiteHost.SecretNames(site.Layout.Root).ToList()));

    public Task<ApiResult<bool>> SetSecretAsync(string name, string value, CancellationToken ct) =>
        Task.FromResult(SiteHost.SetSecret(site.Layout.Root, name, value) is { } problem ? (ApiResult<bool>)Problem(400, ApiProblem.InvalidRequest, problem) : Ok(true));

    public Task<ApiResult<bool>> RemoveSecretAsync(string name, CancellationToken ct) =>
        Task.FromResult(SiteHost.RemoveSecret(site.Layout.Root, name) is { } problem ? (ApiResult<bool>)Problem(404, "no such secret", problem) : Ok(true));

    /// <summary>The code of a refusal for want of the operator's confirmation (a delete without --yes and no terminal to ask).</summary>
    public const string NeedsConfirmation = Engine.EngineCodes.NeedsConfirmation;

    /// <summary>The status of a resume that found no interrupted run.</summary>
    public const string NothingToResume = "nothing";

    public async Task<ApiResult<ApplyResultV1>> ResumeAsync(CancellationToken ct) =>
        await site.Engine.ResumeAsync(ct) is { } outcome ? Outcome(outcome) : Ok(new ApplyResultV1(NothingToResume, null, []));

    public async Task<ApiResult<BackupResultV1>> BackupSiteAsync(CancellationToken ct) => Backup(await site.Backups.BackupSiteAsync(ct));

    public async Task<ApiResult<List<BackupResultV1>>> RunDueBackupsAsync(CancellationToken ct) =>
        Ok((await site.Backups.RunDueAsync(ct)).Select(o => new BackupResultV1(o.Module, o.Succeeded, o.Message, o.SnapshotId, o.Seconds)).ToList());
}
