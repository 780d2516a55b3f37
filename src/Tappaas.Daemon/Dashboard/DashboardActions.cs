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
internal sealed class DashboardActions(SiteApi api, IAuthorizationService authorization, AuthenticationStateProvider authentication, Proxy.ProxyProcess proxy)
{
    public Task<ApiResult<ApplyResultV1>> ScaleAsync(string module, int replicas, CancellationToken ct) =>
        AsOperatorAsync(() => api.ScaleAsync(module, replicas, ct), ct);

    public Task<ApiResult<ApplyResultV1>> RollbackAsync(string module, int revision, CancellationToken ct) =>
        AsOperatorAsync(() => api.RollbackAsync(module, revision, ct), ct);

    /// <summary>Whether the signed-in user may change modules.</summary>
    public async Task<bool> MayOperateAsync() => (await authorization.AuthorizeAsync(await UserAsync(), Policies.Operator)).Succeeded;

    private async Task<ClaimsPrincipal> UserAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    private async Task<ApiResult<T>> AsOperatorAsync<T>(Func<Task<ApiResult<T>>> change, CancellationToken ct)
    {
        var user = await UserAsync();
        if (!(await authorization.AuthorizeAsync(user, Policies.Operator)).Succeeded)
        {
            var role = user.FindFirstValue(ClaimTypes.Role)?.ToLowerInvariant() ?? "none";
            return new ApiProblem(403, "forbidden", $"the role {role} may look but not change modules; sign in with an operator or admin token", [], null);
        }

        var answer = await change();
        await proxy.SyncAsync(ct); // as the API does: the answer comes once the proxy routes as the site now is
        return answer;
    }
}
