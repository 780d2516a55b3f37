using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Tappaas.Client;

namespace Tappaas.Daemon.Api;

/// <summary>
/// A request the API cannot read answers 400 saying what is wrong and where, never 500 and never a guess: a body that is
/// not JSON (its position), a required field missing (its name: the request records' constructor parameters are
/// required), a field of the wrong type, a query parameter that does not parse; and (<see cref="RequireFields"/>) a
/// required field sent as null.
/// </summary>
internal sealed class RequestProblems(IProblemDetailsService problems) : IExceptionHandler
{
    private static readonly NullabilityInfoContext s_nullability = new();

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var detail = bad.InnerException is JsonException json ? $"the request body: {json.Message}" : bad.Message;
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = bad.StatusCode, Title = ApiProblem.InvalidRequest, Detail = detail },
        });
    }

    /// <summary>An endpoint filter: a request record (of the API's contract) whose non-nullable field is null is refused.</summary>
    public static async ValueTask<object?> RequireFields(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var argument in context.Arguments)
        {
            if (argument is not null && argument.GetType().Assembly == typeof(ApiProblem).Assembly && NullField(argument) is { } field)
            {
                return Results.Problem(statusCode: 400, title: ApiProblem.InvalidRequest,
                    detail: $"the request body: $.{field} is required and may not be null");
            }
        }

        return await next(context);
    }

    private static string? NullField(object request)
    {
        foreach (var property in request.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.PropertyType.IsValueType && property.GetValue(request) is null
                && s_nullability.Create(property).ReadState == NullabilityState.NotNull)
            {
                return JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            }
        }

        return null;
    }
}
