using System.CommandLine;
using Tappaas.Model.Loading;

namespace Tappaas.Cli.Commands;

/// <summary>Options shared by the commands that read module files.</summary>
internal static class CommonOptions
{
    public static readonly Option<bool> Json = new("--json") { Description = "Print machine-readable JSON instead of text." };

    public static readonly Option<string?> Zones = new("--zones") { Description = "zones.json to check module zones against (default: the one found nearest the top of the paths)." };

    public static readonly Option<string?> Configuration = new("--configuration") { Description = "configuration.json to check nodes against (default: one found in the paths)." };

    public static readonly Option<string[]> Installed = new("--installed")
    {
        Description = "A folder of installed modules (a site's config folder) whose services the paths may use.",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Argument<string[]> Paths() => new("PATH")
    {
        Description = "Module files or folders (searched recursively).",
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>
    /// The options of a command that reads module files. Inside a site (<c>--site DIR</c> or <c>$TAPPAAS_SITE</c>, and no
    /// <c>--installed</c>) the site's config folder is the installed set: its zones.json, configuration.json and installed
    /// modules are what the files are checked against.
    /// </summary>
    public static WorkspaceOptions WorkspaceOptions(ParseResult result)
    {
        var installed = result.GetValue(Installed) ?? [];
        var site = result.GetValue(SiteOptions.Site) ?? Environment.GetEnvironmentVariable("TAPPAAS_SITE");
        if (installed.Length == 0 && site is { Length: > 0 } && Directory.Exists(Path.Combine(site, "config")))
        {
            installed = [Path.Combine(site, "config")];
        }

        return new()
        {
            ZonesFile = result.GetValue(Zones),
            ConfigurationFile = result.GetValue(Configuration),
            InstalledDirs = installed,
        };
    }
}
