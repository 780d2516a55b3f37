using System.CommandLine;
using Tappaas.Cli.Commands;
using Tappaas.Client;

namespace Tappaas.Cli.Remote;

/// <summary>
/// How the CLI reaches a site. When the site's daemon runs (its <c>api.json</c> names a live process) or <c>--api</c> /
/// <c>$TAPPAAS_API</c> names one, commands go through its API; otherwise they open the site in-process. <c>--local</c>
/// forces the in-process mode.
/// </summary>
internal static class ApiOptions
{
    public static readonly Option<string?> Api = new("--api") { Description = "The daemon's API URL (default: $TAPPAAS_API, else the site's running daemon).", Recursive = true };

    public static readonly Option<string?> TokenFile = new("--token-file") { Description = "A file holding the API token (default: $TAPPAAS_TOKEN, else the site's initial admin token).", Recursive = true };

    public static readonly Option<bool> Local = new("--local") { Description = "Open the site in this process even when its daemon runs.", Recursive = true };

    /// <summary>The daemon to use, null for in-process; an error when the user's choice cannot be honoured.</summary>
    public static (ApiConnection? Connection, string? Error) Resolve(ParseResult result)
    {
        if (result.GetValue(Local))
        {
            return (null, null);
        }

        string? token = Environment.GetEnvironmentVariable("TAPPAAS_TOKEN") is { Length: > 0 } t ? t : null;
        if (result.GetValue(TokenFile) is { } file)
        {
            if (!File.Exists(file))
            {
                return (null, $"--token-file {file}: no such file; give the file that holds an API token");
            }

            token = File.ReadAllText(file).Trim();
        }

        var url = result.GetValue(Api) ?? (Environment.GetEnvironmentVariable("TAPPAAS_API") is { Length: > 0 } u ? u : null);
        if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"))
        {
            return (null, $"--api {url}: not an http(s) URL; write it like https://127.0.0.1:7780");
        }

        return (ApiConnection.Discover(SiteOptions.Root(result), url, token), null);
    }
}
