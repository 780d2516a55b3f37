using System.Text.RegularExpressions;

namespace Tappaas.Abstractions.Secrets;

/// <summary>
/// The site's secret store: one file per secret under <c>&lt;site&gt;/secrets</c>, the folder 0700 and each file 0600,
/// so only the platform's user reads them. Modules refer to secrets as <c>${secret:NAME}</c> (in workload environment
/// values); the value is read where it is used and never written to module files, journals, events or logs.
/// </summary>
public sealed partial class SiteSecrets(string siteFolder)
{
    public string Folder => Path.Combine(siteFolder, "secrets");

    /// <summary>Files the daemon keeps beside the secrets (its token hashes, the first admin token): never listed, set or removed as secrets.</summary>
    public static IReadOnlySet<string> Reserved { get; } = new HashSet<string>(StringComparer.Ordinal) { "tokens.json", "initial-admin-token", "registry-auth.json" };

    /// <summary>True when <paramref name="name"/> is a valid secret name (letters, digits, <c>_ . -</c>, starting with a letter, not <see cref="Reserved"/>).</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name) && !Reserved.Contains(name);

    public string? Get(string name) =>
        IsValidName(name) && File.Exists(Path.Combine(Folder, name)) ? File.ReadAllText(Path.Combine(Folder, name)).TrimEnd('\n', '\r') : null;

    public void Set(string name, string value)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException($"\"{name}\" is not a valid secret name: use letters, digits, '_', '.', '-', starting with a letter");
        }

        if (!Directory.Exists(Folder))
        {
            Directory.CreateDirectory(Folder);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        Tappaas.IO.AtomicFile.Write(Path.Combine(Folder, name), value, Tappaas.IO.AtomicFile.OwnerOnly);
    }

    public bool Remove(string name)
    {
        var file = Path.Combine(Folder, name);
        if (!IsValidName(name) || !File.Exists(file))
        {
            return false;
        }

        File.Delete(file);
        return true;
    }

    /// <summary>The names of the stored secrets (never their values).</summary>
    public IReadOnlyList<string> Names() =>
        Directory.Exists(Folder) ? [.. Directory.GetFiles(Folder).Select(Path.GetFileName).OfType<string>().Where(IsValidName).Order(StringComparer.Ordinal)] : [];

    /// <summary>The secret names referenced as <c>${secret:NAME}</c> in <paramref name="text"/>.</summary>
    public static IEnumerable<string> References(string text) => Reference().Matches(text).Select(m => m.Groups[1].Value);

    /// <summary>Replaces each <c>${secret:NAME}</c> with its value; the names that are missing are returned.</summary>
    public (string Text, IReadOnlyList<string> Missing) Resolve(string text)
    {
        var missing = new List<string>();
        var resolved = Reference().Replace(text, m => Get(m.Groups[1].Value) ?? Missing(m.Groups[1].Value, m.Value));
        return (resolved, missing);

        string Missing(string name, string original)
        {
            missing.Add(name);
            return original;
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"\$\{secret:([A-Za-z][A-Za-z0-9_.-]{0,127})\}")]
    private static partial Regex Reference();
}
