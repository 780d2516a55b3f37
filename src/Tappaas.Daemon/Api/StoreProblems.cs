using Microsoft.AspNetCore.Diagnostics;
using Tappaas.Composition;

namespace Tappaas.Daemon.Api;

/// <summary>
/// A request the state store fails (a full disk, a damaged store) answers 503 saying so and what to do, rather than a
/// 500 with SQLite's words.
/// </summary>
internal sealed class StoreProblems(IProblemDetailsService problems, SiteSession site) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (site.StoreFailure(exception) is not { } words)
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = "the site's state store is unusable", Detail = words },
        });
    }
}
