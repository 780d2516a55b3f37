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

    public static WorkspaceOptions WorkspaceOptions(ParseResult result) => new()
    {
        ZonesFile = result.GetValue(Zones),
        ConfigurationFile = result.GetValue(Configuration),
        InstalledDirs = result.GetValue(Installed) ?? [],
    };
}
