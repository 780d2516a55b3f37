using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Tappaas.Client;
using Tappaas.Composition;
using Tappaas.Daemon.Security;

namespace Tappaas.Daemon.Dashboard;

/// <summary>
/// What a dashboard page changes, through the same <see cref="SiteApi"/> the HTTP API answers with (each change a
/// journalled run) and the same role policies: a page offers an operator's button only to operators, and a call made
/// anyway (a crafted circuit message) is refused here as the API refuses it, with 403.
/// </summary>
internal sealed class DashboardActions(SiteApi api, IAuthorizationService authorization, AuthenticationStateProvider authentication, Proxy.ProxyProcess proxy,
    TokenStore tokens, TimeProvider time)
{
    public Task<ApiResult<ApplyResultV1>> ScaleAsync(string module, int replicas, CancellationToken ct) =>
        AsOperatorAsync(() => api.ScaleAsync(module, replicas, ct), ct);

    public Task<ApiResult<ApplyResultV1>> RollbackAsync(string module, int revision, CancellationToken ct) =>
        AsOperatorAsync(() => api.RollbackAsync(module, revision, ct), ct);

    /// <summary>Applies a plan the page showed (refused with 412 when the site changed since it was made).</summary>
    public Task<ApiResult<ApplyResultV1>> ApplyAsync(PlanV1 plan, CancellationToken ct) =>
        AsOperatorAsync(() => api.ApplyAsync(plan, ct), ct);

    public Task<ApiResult<ApplyResultV1>> UpdateAsync(string module, CancellationToken ct) =>
        AsOperatorAsync(() => api.UpdateAsync(module, force: false, noSnapshot: false, ct), ct);

    public Task<ApiResult<ApplyResultV1>> InstallAsync(string module, CancellationToken ct) =>
        AsOperatorAsync(() => api.InstallAsync([module], force: false, ct), ct);

    public Task<ApiResult<BackupResultV1>> BackupAsync(string module, CancellationToken ct) =>
        AsOperatorAsync(() => api.BackupAsync(module, ct), ct);

    public Task<ApiResult<BackupResultV1>> RestoreAsync(string module, string snapshot, CancellationToken ct) =>
        AsOperatorAsync(() => api.RestoreAsync(module, snapshot, ct), ct);

    public Task<ApiResult<BackupResultV1>> VerifyAsync(string module, CancellationToken ct) =>
        AsOperatorAsync(() => api.VerifyAsync(module, ct), ct);

    /// <summary>The API tokens (admin only), never a secret.</summary>
    public async Task<ApiResult<List<TokenV1>>> TokensAsync() => await AsAsync(Policies.Admin, "manage tokens", () =>
        Task.FromResult(new ApiResult<List<TokenV1>>([.. tokens.List().Select(t => new TokenV1(t.Name, t.Role.ToString().ToLowerInvariant(), t.CreatedAt, t.ExpiresAt, t.ExpiredAt(time.GetUtcNow())))], null)));

    /// <summary>Creates a token (admin only) and returns its secret, shown once.</summary>
    public async Task<ApiResult<string>> CreateTokenAsync(string name, TokenRole role, TimeSpan? lifetime) => await AsAsync(Policies.Admin, "manage tokens", () =>
        Task.FromResult(TokenStore.NameProblem(name) is { } problem
            ? new ApiResult<string>(null, new ApiProblem(400, ApiProblem.InvalidRequest, problem, [], null))
            : new ApiResult<string>(tokens.Create(name, role, lifetime), null)));

    /// <summary>Revokes a token at once (admin only; never the last admin token).</summary>
    public async Task<ApiResult<bool>> RevokeTokenAsync(string name) => await AsAsync(Policies.Admin, "manage tokens", () =>
        Task.FromResult(tokens.Revoke(name) is { } problem ? new ApiResult<bool>(false, new ApiProblem(409, "token not revoked", problem, [], null)) : new ApiResult<bool>(true, null)));

    /// <summary>Whether the signed-in user may manage tokens and the site.</summary>
    public async Task<bool> MayAdministerAsync() => (await authorization.AuthorizeAsync(await UserAsync(), Policies.Admin)).Succeeded;

    /// <summary>Whether the signed-in user may change modules.</summary>
    public async Task<bool> MayOperateAsync() => (await authorization.AuthorizeAsync(await UserAsync(), Policies.Operator)).Succeeded;

    private async Task<ClaimsPrincipal> UserAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    private async Task<ApiResult<T>> AsOperatorAsync<T>(Func<Task<ApiResult<T>>> change, CancellationToken ct)
    {
        var answer = await AsAsync(Policies.Operator, "change modules", change);
        if (answer.Problem is not { Status: 403 })
        {
            await proxy.SyncAsync(ct); // as the API does: the answer comes once the proxy routes as the site now is
        }

        return answer;
    }

    private async Task<ApiResult<T>> AsAsync<T>(string policy, string what, Func<Task<ApiResult<T>>> call)
    {
        var user = await UserAsync();
        if (!(await authorization.AuthorizeAsync(user, policy)).Succeeded)
        {
            var role = user.FindFirstValue(ClaimTypes.Role)?.ToLowerInvariant() ?? "none";
            return new ApiProblem(403, "forbidden", $"the role {role} may not {what}; sign in with {(policy == Policies.Admin ? "an admin" : "an operator or admin")} token", [], null);
        }

        return await call();
    }
}
