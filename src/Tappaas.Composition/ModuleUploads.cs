using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Tappaas.Client;
using Tappaas.Engine;
using Tappaas.Engine.Site;

namespace Tappaas.Composition;

/// <summary>
/// Modules sent with a request instead of found in the site's repositories: checked (name, relative paths, base64, size),
/// then kept under <c>uploads/&lt;name&gt;/&lt;digest&gt;/</c> in the site folder. The folder is named by the content's
/// digest and never rewritten, so a module's recorded location keeps the exact files it was installed from (a rollback
/// or a later upload of other content leaves them alone), and the same upload twice is one folder.
/// </summary>
public static class ModuleUploads
{
    /// <summary>At most this many bytes of files per module (decoded), well inside the daemon's request limit.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    /// <summary>At most this many files per module.</summary>
    public const int MaxFiles = 1000;

    /// <summary>The folder uploads are kept in.</summary>
    public static string Root(SiteLayout layout) => Path.Combine(layout.Root, "uploads");

    /// <summary>Checks and keeps one upload; <paramref name="at"/> names it in errors (<c>uploads[0]</c>).</summary>
    public static (ModuleSource? Source, string? Error) Store(ModuleUploadV1? upload, string at, SiteLayout layout)
    {
        if (upload is null)
        {
            return (null, $"{at}: null; send {{\"name\": \"app\", \"files\": {{\"app.json\": \"<base64>\"}}}}");
        }

        if (ModuleNames.Problem(upload.Name, $"{at}.name") is { } bad)
        {
            return (null, bad);
        }

        var (files, error) = Decode(upload, at);
        if (files is null)
        {
            return (null, error);
        }

        var folder = Path.Combine(Root(layout), upload.Name, Digest(files));
        if (!Directory.Exists(folder))
        {
            Write(folder, files);
        }

        return ModuleLocator.Read(Path.Combine(folder, upload.Name + ".json"), upload.Name);
    }

    private static (SortedDictionary<string, byte[]>? Files, string? Error) Decode(ModuleUploadV1 upload, string at)
    {
        if (upload.Files is not { Count: > 0 } given)
        {
            return (null, $"{at}.files: empty; send the module's folder, {upload.Name}.json among it");
        }

        if (given.Count > MaxFiles)
        {
            return (null, $"{at}.files: {given.Count} files, more than the {MaxFiles} a module may send");
        }

        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        long total = 0;
        foreach (var (path, content) in given)
        {
            var where = $"{at}.files[{JsonValue.Create(path).ToJsonString()}]";
            if (PathProblem(path) is { } problem)
            {
                return (null, $"{where}: {problem}");
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(content ?? "");
            }
            catch (FormatException)
            {
                return (null, $"{where}: not base64; send each file's content base64-encoded");
            }

            total += bytes.Length;
            if (total > MaxBytes)
            {
                return (null, $"{at}.files: more than {MaxBytes / (1024 * 1024)} MiB; leave large data out of a module's folder (a guest's disk holds it)");
            }

            files[path] = bytes;
        }

        if (!files.ContainsKey(upload.Name + ".json"))
        {
            return (null, $"{at}.files: no \"{upload.Name}.json\"; the module file is named after the module, at the folder's top");
        }

        foreach (var path in files.Keys)
        {
            // "a" and "a/b" cannot both be files.
            if (files.Keys.Any(other => other.StartsWith(path + "/", StringComparison.Ordinal)))
            {
                return (null, $"{at}.files[{JsonValue.Create(path).ToJsonString()}]: a file and a folder of the same name");
            }
        }

        return (files, null);
    }

    /// <summary>Why a file's path in an upload is refused, or null: relative, inside the folder, no empty, '.' or '..' part.</summary>
    internal static string? PathProblem(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "an empty path";
        }

        if (path.Contains('\0', StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal))
        {
            return "a path with a NUL or a backslash";
        }

        if (path.StartsWith('/'))
        {
            return "an absolute path; name files relative to the module's folder";
        }

        if (path.Split('/').Any(part => part is "" or "." or ".." || part.Length > 255))
        {
            return "a path with an empty, '.' or '..' part (or one over 255 characters); name files inside the module's folder";
        }

        return null;
    }

    private static string Digest(SortedDictionary<string, byte[]> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (path, bytes) in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{path}\0{bytes.Length}\0"));
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static void Write(string folder, SortedDictionary<string, byte[]> files)
    {
        var root = Path.GetDirectoryName(Path.GetDirectoryName(folder))!;
        if (!Directory.Exists(root) && !OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // the daemon's alone
        }

        var partial = Path.Combine(Path.GetDirectoryName(folder)!, $".partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(partial);
        try
        {
            foreach (var (path, bytes) in files)
            {
                var file = Path.Combine(partial, path);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllBytes(file, bytes);
            }

            Directory.Move(partial, folder);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            // Another request kept the same content first: its folder is this one.
        }
        finally
        {
            if (Directory.Exists(partial))
            {
                Directory.Delete(partial, recursive: true);
            }
        }
    }
}

/// <summary>Module names as the API takes them: checked before they name a file or reach a message or the event log.</summary>
public static partial class ModuleNames
{
    /// <summary>Why <paramref name="name"/> is no module name (quoted as JSON, so a newline or NUL shows as an escape), or null.</summary>
    public static string? Problem(string? name, string at) =>
        name is not null && Valid().IsMatch(name) && name.Length <= 63 ? null
            : $"{at}: {(name is null ? "null" : JsonValue.Create(name).ToJsonString())} is not a module name (a letter, then letters, digits and '-', at most 63)";

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9-]*\z")]
    private static partial System.Text.RegularExpressions.Regex Valid();
}

/// <summary>
/// Whether a module argument may name a file or folder of this host: yes for the CLI opening the site in-process (its
/// user is on this host), no for the daemon's API (a caller anywhere with a token), which takes names and uploads.
/// </summary>
public sealed record ModuleArguments(bool AllowHostPaths)
{
    public static ModuleArguments HostPaths { get; } = new(true);

    public static ModuleArguments NamesOnly { get; } = new(false);
}
