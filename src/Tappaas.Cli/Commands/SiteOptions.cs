using Tappaas.Composition;
using System.CommandLine;
using Tappaas.Abstractions.Providers;

namespace Tappaas.Cli.Commands;

/// <summary>Options of the commands that act on a site.</summary>
internal static class SiteOptions
{
    public static readonly Option<string?> Site = new("--site") { Description = "The site folder (default: $TAPPAAS_SITE, else ~/.local/share/tappaas/site).", Recursive = true };

    public static readonly Option<bool> Debug = new("--debug") { Description = "Verbose hooks (TAPPAAS_DEBUG=1)." };

    public static readonly Option<bool> Silent = new("--silent") { Description = "Quiet hooks (TAPPAAS_SILENT=1)." };

    public static HookFlags Flags(ParseResult r, bool deep = false) => new()
    {
        Debug = r.GetValue(Debug),
        Silent = r.GetValue(Silent),
        TestDeep = deep,
    };

    public static string Root(ParseResult r) => SiteSession.Resolve(r.GetValue(Site));
}
