using System.CommandLine;
using Tappaas.Composition;

namespace Tappaas.Cli.Commands;

/// <summary><c>tappaas init</c>: creates an empty site (configuration.json and zones.json in upstream shape, the state store); starts nothing.</summary>
internal static class InitCommand
{
    public static Command Create(TextWriter output)
    {
        var domain = new Option<string>("--domain") { Description = "The site's domain.", DefaultValueFactory = _ => "tappaas.internal" };
        var backend = new Option<string[]>("--backend") { Description = "Which backend implements services, as SERVICE=BACKEND (e.g. 'cluster:*=fake'). Default: the providing module's hook scripts." };
        var repository = new Option<string[]>("--repository") { Description = "A folder with module sources, searched by 'tappaas install NAME'." };
        var command = new Command("init", "Create an empty site in the site folder (nothing is started).") { domain, backend, repository };
        command.SetAction(async (result, ct) =>
        {
            var backends = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var b in result.GetValue(backend) ?? [])
            {
                var at = b.IndexOf('=', StringComparison.Ordinal);
                if (at <= 0)
                {
                    output.WriteLine($"error: --backend {b}: write SERVICE=BACKEND, e.g. cluster:*=fake");
                    return ExitCodes.Usage;
                }

                backends[b[..at]] = b[(at + 1)..];
            }

            var repos = (result.GetValue(repository) ?? []).Select(Path.GetFullPath).ToList();
            var (site, problem) = await SiteHost.CreateAsync(SiteOptions.Root(result), result.GetValue(domain)!, backends, repos, ct);
            if (site is null)
            {
                output.WriteLine($"error: {problem}");
                return ExitCodes.Failed;
            }

            output.WriteLine(site.Written.Count == 0 ? $"site {site.Root} already exists; nothing changed" : $"created site {site.Root}");
            foreach (var f in site.Written)
            {
                output.WriteLine($"  wrote {f}");
            }

            output.WriteLine($"  state store {site.State} (schema {site.Schema})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
