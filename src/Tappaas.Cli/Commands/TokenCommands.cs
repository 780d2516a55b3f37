using System.CommandLine;
using System.Globalization;
using Tappaas.Cli.Remote;
using Tappaas.Client;

namespace Tappaas.Cli.Commands;

/// <summary>
/// <c>tappaas token create|list|revoke</c>: the daemon's API tokens (admin). A new token's secret is printed once; a
/// list shows names, roles and expiry, never a secret; a revoked token opens nothing from then on. Tokens belong to the
/// daemon, so these commands need it running.
/// </summary>
internal static class TokenCommands
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var name = new Argument<string>("NAME") { Description = "The token's name (who or what uses it, e.g. ci or dashboard)." };
        var role = new Option<string>("--role") { Description = "viewer (reads), operator (also changes modules) or admin (also tokens and the site).", Required = true };
        role.AcceptOnlyFromAmong("viewer", "operator", "admin");
        var expires = new Option<string?>("--expires-in") { Description = "Expire after this long: 12h, 90d (default: never)." };
        var create = new Command("create", "Create an API token; its secret is printed this once (a token of the same name is replaced).") { name, role, expires };
        create.SetAction((result, ct) => Dispatch.RunOnDaemonAsync(result, error, "API tokens", async (client, token) =>
        {
            var answer = await client.CreateTokenAsync(new TokenRequestV1(result.GetValue(name)!, result.GetValue(role)!, result.GetValue(expires)), token);
            if (answer.Problem is { } problem)
            {
                return Dispatch.Fail(error, problem);
            }

            var created = answer.Value!;
            output.WriteLine(created.Token);
            error.WriteLine($"created the {created.Role} token \"{created.Name}\"{(created.ExpiresAt is { } at ? $", expiring {Time(at)}" : "")}; store it now: it is not shown again");
            return ExitCodes.Ok;
        }, ct));

        var list = new Command("list", "List the API tokens: name, role, created, expires (never a secret).") { CommonOptions.Json };
        list.SetAction((result, ct) => Dispatch.RunOnDaemonAsync(result, error, "API tokens", async (client, token) =>
        {
            var answer = await client.TokensAsync(token);
            if (answer.Problem is { } problem)
            {
                return Dispatch.Fail(error, problem);
            }

            if (result.GetValue(CommonOptions.Json))
            {
                Output.DiagnosticPrinter.PrintRecord(output, answer.Value!);
                return ExitCodes.Ok;
            }

            foreach (var t in answer.Value!.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                var expiry = t.ExpiresAt is { } at ? (t.Expired ? $"expired {Time(at)}" : $"expires {Time(at)}") : "never expires";
                output.WriteLine($"{t.Name,-20} {t.Role,-9} created {Time(t.CreatedAt)}  {expiry}");
            }

            return ExitCodes.Ok;
        }, ct));

        var revokeName = new Argument<string>("NAME") { Description = "The token to revoke." };
        var revoke = new Command("revoke", "Revoke an API token at once (not the last admin token).") { revokeName };
        revoke.SetAction((result, ct) => Dispatch.RunOnDaemonAsync(result, error, "API tokens", async (client, token) =>
        {
            var answer = await client.RevokeTokenAsync(result.GetValue(revokeName)!, token);
            if (answer.Problem is { } problem)
            {
                return Dispatch.Fail(error, problem);
            }

            output.WriteLine($"revoked the token \"{result.GetValue(revokeName)}\"");
            return ExitCodes.Ok;
        }, ct));

        return new Command("token", "Manage the daemon's API tokens (admin).") { create, list, revoke };
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
}
