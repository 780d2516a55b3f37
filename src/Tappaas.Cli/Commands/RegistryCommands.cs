using System.CommandLine;
using Tappaas.Cli.Remote;
using Tappaas.Client;

namespace Tappaas.Cli.Commands;

/// <summary>
/// <c>tappaas registry login|logout</c>: credentials for OCI registries that need them. The password comes from
/// standard input (never the command line, where the process list shows it), is checked with the registry, and is
/// kept in the site's secret store for pulls; it is never printed.
/// </summary>
internal static class RegistryCommands
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var registry = new Argument<string>("REGISTRY") { Description = "The registry's host[:port], e.g. ghcr.io or 127.0.0.1:5000." };
        var username = new Option<string>("--username", "-u") { Description = "The user name.", Required = true };
        var login = new Command("login", "Check credentials with a registry and keep them for pulls (the password is read from standard input).") { registry, username };
        login.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (client, token) =>
        {
            if (!Console.IsInputRedirected)
            {
                error.Write($"password for {result.GetValue(username)} at {result.GetValue(registry)} (end with Ctrl-D): ");
            }

            var password = (await Console.In.ReadToEndAsync(token)).TrimEnd('\n', '\r');
            if (password.Length == 0)
            {
                error.WriteLine("error: the password is empty; pipe it in (printf %s \"$PASSWORD\" | tappaas registry login REGISTRY -u USER)");
                return ExitCodes.Usage;
            }

            var answer = await client.RegistryLoginAsync(new RegistryLoginV1(result.GetValue(registry)!, result.GetValue(username)!, password), token);
            if (answer.Problem is { } problem)
            {
                return Dispatch.Fail(error, problem);
            }

            output.WriteLine($"logged in to {result.GetValue(registry)} as {result.GetValue(username)}; pulls from it use these credentials");
            return ExitCodes.Ok;
        }, ct));

        var logoutRegistry = new Argument<string>("REGISTRY") { Description = "The registry to forget." };
        var logout = new Command("logout", "Forget the credentials of a registry.") { logoutRegistry };
        logout.SetAction((result, ct) => Dispatch.RunAsync(result, error, async (client, token) =>
        {
            var answer = await client.RegistryLogoutAsync(result.GetValue(logoutRegistry)!, token);
            if (answer.Problem is { } problem)
            {
                return Dispatch.Fail(error, problem);
            }

            output.WriteLine(answer.Value ? $"forgot the credentials of {result.GetValue(logoutRegistry)}" : $"no credentials for {result.GetValue(logoutRegistry)}");
            return ExitCodes.Ok;
        }, ct));

        return new Command("registry", "Credentials for OCI registries.") { login, logout };
    }
}
