namespace Tappaas.TestUtilities;

/// <summary>
/// The upstream TAPPaaS data files (module, zone, catalog and field files at upstream commit <see cref="Commit"/>) that
/// the conformance tests read. Looked for at <c>$TAPPAAS_CORPUS</c>, then <c>../shared/tappaas-corpus</c> beside the
/// repository (where this repository's CI keeps it), then the copy <c>scripts/fetch-corpus.sh</c> caches
/// (<c>${XDG_CACHE_HOME:-~/.cache}/tappaas/corpus-f54e4fc</c>). Tests that need it use <see cref="CorpusFactAttribute"/>
/// or <see cref="CorpusTheoryAttribute"/>: skipped when it is missing, except under CI=true, where they fail.
/// </summary>
public static class Corpus
{
    /// <summary>The upstream commit the corpus is taken from.</summary>
    public const string Commit = "f54e4fc";

    /// <summary>How to get the corpus, for skip reasons and errors.</summary>
    public const string HowToGet = "the upstream TAPPaaS corpus is not here: run scripts/fetch-corpus.sh, or set TAPPAAS_CORPUS to a copy (CI reads ../shared/tappaas-corpus)";

    private static readonly Lazy<string?> s_root = new(Find);

    /// <summary>Whether the corpus was found.</summary>
    public static bool Present => s_root.Value is not null;

    /// <summary>The corpus root; throws with <see cref="HowToGet"/> when it is missing.</summary>
    public static string Root => s_root.Value ?? throw new InvalidOperationException(HowToGet);

    /// <summary>A path inside the corpus.</summary>
    public static string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Every JSON file of the corpus, relative to its root, sorted; none when the corpus is missing (its tests are skipped).</summary>
    public static IReadOnlyList<string> JsonFiles() =>
        Present ? [.. Directory.EnumerateFiles(Root, "*.json", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f)).Order(StringComparer.Ordinal)] : [];

    /// <summary>The cached copy's folder, as scripts/fetch-corpus.sh writes it.</summary>
    public static string CacheFolder =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache ? cache
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "tappaas", $"corpus-{Commit}");

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("TAPPAAS_CORPUS") is { Length: > 0 } named)
        {
            return Directory.Exists(named) ? Path.GetFullPath(named) : throw new InvalidOperationException($"TAPPAAS_CORPUS={named} is not a folder");
        }

        if (SharedFolder.Find("tappaas-corpus") is { } shared)
        {
            return shared;
        }

        return File.Exists(Path.Combine(CacheFolder, ".complete")) ? CacheFolder : null;
    }
}

/// <summary>
/// The vendors' API schemas (<c>vendor-api/</c>: Proxmox VE, PBS, OPNsense, Authentik) that the cluster platform's
/// clients are checked against: <c>$TAPPAAS_VENDOR_API</c>, else <c>../shared/vendor-api</c> beside the repository.
/// </summary>
public static class VendorApi
{
    /// <summary>How to get the schemas, for skip reasons and errors.</summary>
    public const string HowToGet = "the vendor API schemas are not here: set TAPPAAS_VENDOR_API to a vendor-api folder (CI reads ../shared/vendor-api)";

    private static readonly Lazy<string?> s_root = new(() =>
        Environment.GetEnvironmentVariable("TAPPAAS_VENDOR_API") is { Length: > 0 } named ? Path.GetFullPath(named) : SharedFolder.Find("vendor-api"));

    /// <summary>Whether the schemas were found.</summary>
    public static bool Present => s_root.Value is not null && Directory.Exists(s_root.Value);

    /// <summary>A file of the schemas; throws with <see cref="HowToGet"/> when they are missing.</summary>
    public static string PathOf(string relative) => Path.Combine(Present ? s_root.Value! : throw new InvalidOperationException(HowToGet), relative);
}

/// <summary>Folders of <c>../shared</c> beside the repository (the folder that holds TAPPaaS.slnx).</summary>
internal static class SharedFolder
{
    public static string? Find(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TAPPaaS.slnx")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", name));
                return Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}
