namespace Tappaas.Cli.Commands;

/// <summary>
/// The sites <c>up</c> made on this host, one folder a line in <c>/var/lib/tappaas/sites</c>, kept only when the package
/// made that folder: removing the package stops their daemons and guests, and purging it names the sites it leaves.
/// </summary>
internal static class SiteRegistry
{
    public const string Folder = "/var/lib/tappaas";

    private static string ListFile => Path.Combine(Folder, "sites");

    public static void Add(string site)
    {
        if (Directory.Exists(Folder) && !Read().Contains(site))
        {
            Try(() => File.AppendAllText(ListFile, site + "\n"));
        }
    }

    public static void Remove(string site)
    {
        if (File.Exists(ListFile))
        {
            Try(() => File.WriteAllLines(ListFile, Read().Where(s => s != site)));
        }
    }

    private static List<string> Read() =>
        File.Exists(ListFile) ? [.. File.ReadAllLines(ListFile).Where(l => l.Length > 0)] : [];

    // A user who may not write the list (not root) still gets a site; the list is for the package's scripts only.
    private static void Try(Action write)
    {
        try
        {
            write();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
