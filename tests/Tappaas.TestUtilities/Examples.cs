namespace Tappaas.TestUtilities;

/// <summary>The example stack and the counter's releases (in <c>examples/</c>), copied into a test's own repository.</summary>
public static class Examples
{
    /// <summary>Copies the example stack (cluster, firewall, backup, counter, board) into a repository folder.</summary>
    public static void CopyStack(string repository) => Copy(Path.Combine(RepoPaths.Root, "examples", "stack"), repository);

    /// <summary>Publishes a release of the counter (a folder of <c>examples/releases</c>) over the repository's counter.</summary>
    public static void PublishCounter(string release, string repository) =>
        Copy(Path.Combine(RepoPaths.Root, "examples", "releases", release), Path.Combine(repository, "counter"));

    /// <summary>Copies a folder's files (with their modes) into another, overwriting what is there.</summary>
    public static void Copy(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }
    }
}
