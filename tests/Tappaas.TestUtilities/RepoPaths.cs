namespace Tappaas.TestUtilities;

/// <summary>Paths inside this repository.</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the folder with TAPPaaS.slnx).</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TAPPaaS.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
