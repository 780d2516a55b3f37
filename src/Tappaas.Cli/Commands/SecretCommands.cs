using System.CommandLine;
using Tappaas.Cli.Remote;
using Tappaas.Client;
using Tappaas.Composition;

namespace Tappaas.Cli.Commands;

/// <summary>
/// <c>tappaas secret set|list|delete</c>: the site's secret store. Values come from standard input or a file, never
/// from the command line (where other users could read them in the process list), and are never printed. Through the
/// daemon when one serves the site (an admin token), else on the site's files — which need no state store, so the secret
/// holding a PostgreSQL store's connection string can be set before the store can be opened.
/// </summary>
internal static class SecretCommands
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var name = new Argument<string>("NAME") { Description = "The secret's name, referred to as ${secret:NAME} in a workload's env." };
        var fromFile = new Option<string?>("--from-file") { Description = "Read the value from this file instead of standard input." };
        var set = new Command("set", "Store a secret (the value is read from standard input or --from-file).") { name, fromFile };
        set.SetAction((result, ct) => RunAsync(result, error, async (secrets, token) =>
        {
            var key = result.GetValue(name)!;
            if (SiteHost.SecretNameProblem(key) is { } invalid)
            {
                error.WriteLine($"error: {invalid}");
                return ExitCodes.Usage;
            }

            string value;
            if (result.GetValue(fromFile) is { } file)
            {
                if (!File.Exists(file))
                {
                    error.WriteLine($"error: --from-file {file}: no such file");
                    return ExitCodes.Usage;
                }

                value = await File.ReadAllTextAsync(file, token);
            }
            else
            {
                if (!Console.IsInputRedirected)
                {
                    error.Write($"value of {key} (end with Ctrl-D): ");
                }

                value = await Console.In.ReadToEndAsync(token);
            }

            value = value.TrimEnd('\n', '\r');
            if (value.Length == 0)
            {
                error.WriteLine($"error: the value of {key} is empty; pipe it in (printf %s \"$VALUE\" | tappaas secret set {key}) or use --from-file");
                return ExitCodes.Usage;
            }

            if ((await secrets.SetSecretAsync(key, value, token)).Problem is { } problem)
            {
                return Dispatch.Fail(error, problem);
            }

            output.WriteLine($"secret {key} stored");
            return ExitCodes.Ok;
        }, ct));

        var list = new Command("list", "List the names of the site's secrets (never their values).");
        list.SetAction((result, ct) => RunAsync(result, error, async (secrets, token) =>
        {
            var names = await secrets.SecretsAsync(token);
            if (names.Value is null)
            {
                return Dispatch.Fail(error, names.Problem!);
            }

            foreach (var n in names.Value)
            {
                output.WriteLine(n);
            }

            return ExitCodes.Ok;
        }, ct));

        var deleteName = new Argument<string>("NAME") { Description = "The secret to remove." };
        var delete = new Command("delete", "Remove a secret.") { deleteName };
        delete.SetAction((result, ct) => RunAsync(result, error, async (secrets, token) =>
        {
            var key = result.GetValue(deleteName)!;
            if ((await secrets.RemoveSecretAsync(key, token)).Problem is { } problem)
            {
                error.WriteLine($"error: {problem.Detail}");
                return ExitCodes.Failed;
            }

            output.WriteLine($"secret {key} removed");
            return ExitCodes.Ok;
        }, ct));

        return new Command("secret", "Manage the site's secrets.") { set, list, delete };
    }

    /// <summary>The daemon's API when one serves the site, else the site's secret files directly (no state store is opened).</summary>
    private static Task<int> RunAsync(ParseResult result, TextWriter error, Func<ISecrets, CancellationToken, Task<int>> body, CancellationToken ct)
    {
        var (connection, _) = ApiOptions.Resolve(result);
        if (connection is not null)
        {
            return Dispatch.RunAsync(result, error, (api, token) => body(new Remote(api), token), ct);
        }

        var root = SiteOptions.Root(result);
        if (!SiteHost.Exists(root))
        {
            error.WriteLine($"error: no site at {Path.GetFullPath(root)} (no config/configuration.json); create one with 'tappaas init --site {root}'");
            return Task.FromResult(ExitCodes.Failed);
        }

        return body(new Local(root), ct);
    }

    /// <summary>The three calls on secrets, answered by the API or by the site's files with the same words.</summary>
    private interface ISecrets
    {
        Task<ApiResult<List<string>>> SecretsAsync(CancellationToken ct);

        Task<ApiResult<bool>> SetSecretAsync(string name, string value, CancellationToken ct);

        Task<ApiResult<bool>> RemoveSecretAsync(string name, CancellationToken ct);
    }

    private sealed class Remote(ISiteApi api) : ISecrets
    {
        public Task<ApiResult<List<string>>> SecretsAsync(CancellationToken ct) => api.SecretsAsync(ct);

        public Task<ApiResult<bool>> SetSecretAsync(string name, string value, CancellationToken ct) => api.SetSecretAsync(name, value, ct);

        public Task<ApiResult<bool>> RemoveSecretAsync(string name, CancellationToken ct) => api.RemoveSecretAsync(name, ct);
    }

    private sealed class Local(string root) : ISecrets
    {
        public Task<ApiResult<List<string>>> SecretsAsync(CancellationToken ct) => Task.FromResult(new ApiResult<List<string>>([.. SiteHost.SecretNames(root)], null));

        public Task<ApiResult<bool>> SetSecretAsync(string name, string value, CancellationToken ct) => Task.FromResult(Answer(SiteHost.SetSecret(root, name, value), 400));

        public Task<ApiResult<bool>> RemoveSecretAsync(string name, CancellationToken ct) => Task.FromResult(Answer(SiteHost.RemoveSecret(root, name), 404));

        private static ApiResult<bool> Answer(string? problem, int status) =>
            problem is null ? new(true, null) : new(false, new ApiProblem(status, status == 404 ? "no such secret" : ApiProblem.InvalidRequest, problem, [], null));
    }
}
