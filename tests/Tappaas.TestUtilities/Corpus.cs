namespace Tappaas.TestUtilities;

/// <summary>Locates the shared upstream corpus (<c>../shared/tappaas-corpus</c> beside the repository).</summary>
public static class Corpus
{
    /// <summary>The corpus root. Under CI a missing corpus fails the test run instead of skipping it.</summary>
    public static string Root { get; } = Find();

    /// <summary>A path inside the corpus.</summary>
    public static string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Every JSON file of the corpus, relative to its root, sorted.</summary>
    public static IReadOnlyList<string> JsonFiles() =>
        [.. Directory.EnumerateFiles(Root, "*.json", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f)).Order(StringComparer.Ordinal)];

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "tappaas-corpus");
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "TAPPaaS.slnx")))
            {
                return Path.GetFullPath(candidate);
            }

            dir = dir.Parent;
        }

        throw new InvalidOperationException("The TAPPaaS corpus was not found at ../shared/tappaas-corpus beside the repository; tests need it.");
    }
}
