using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Tappaas.Daemon.Security;

namespace Tappaas.Daemon.Dashboard;

/// <summary>
/// An open page's session checked again every 10 seconds, as each request's is: a page whose token was revoked, expired
/// or replaced loses its session (the router sends it to sign in) without waiting for the next request.
/// </summary>
internal sealed class SessionRevalidation(ILoggerFactory logs, TokenStore tokens, TimeProvider time) : RevalidatingServerAuthenticationStateProvider(logs)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(10);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken cancellationToken) =>
        Task.FromResult(DashboardSetup.Current(state.User, tokens, time) is not null);
}
