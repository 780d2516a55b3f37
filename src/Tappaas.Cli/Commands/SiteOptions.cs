using Tappaas.Composition;
using System.CommandLine;

namespace Tappaas.Cli.Commands;

/// <summary>Options of the commands that act on a site.</summary>
internal static class SiteOptions
{
    public static readonly Option<string?> Site = new("--site") { Description = "The site folder (default: $TAPPAAS_SITE, else ~/.local/share/tappaas/site).", Recursive = true };

    public static readonly Option<bool> Debug = new("--debug") { Description = "Verbose hooks (TAPPAAS_DEBUG=1)." };

    public static readonly Option<bool> Silent = new("--silent") { Description = "Quiet hooks (TAPPAAS_SILENT=1)." };

    public static string Root(ParseResult r) => SiteSession.Resolve(r.GetValue(Site));
}
