using Tappaas.Client;
using static Tappaas.Composition.ModuleUploads;

namespace Tappaas.Cli.Remote;

/// <summary>
/// Module arguments as the site's API takes them. In-process a file or folder stays a path (the CLI's user is on this
/// host). The daemon takes names only, so a file or folder given here is read and sent along as an upload: the module's
/// folder, hidden files and folders left out.
/// </summary>
internal static class ModuleUploadPacker
{
    public static (List<string> Names, List<ModuleUploadV1>? Uploads, string? Error) For(ISiteApi api, IEnumerable<string> arguments)
    {
        var local = api is not TappaasClient;
        var names = new List<string>();
        var uploads = new List<ModuleUploadV1>();
        foreach (var argument in arguments)
        {
            if (!File.Exists(argument) && !Directory.Exists(argument))
            {
                names.Add(argument);
            }
            else if (local)
            {
                names.Add(Path.GetFullPath(argument));
            }
            else if (Pack(argument) is ({ } upload, _))
            {
                uploads.Add(upload);
            }
            else
            {
                return ([], null, Pack(argument).Error);
            }
        }

        return (names, uploads.Count > 0 ? uploads : null, null);
    }

    /// <summary>The module a file (<c>app.json</c>, with the rest of its folder) or a folder (<c>app/</c>, holding <c>app.json</c>) holds.</summary>
    private static (ModuleUploadV1? Upload, string? Error) Pack(string argument)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(argument));
        var (folder, name) = File.Exists(full) ? (Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full)) : (full, Path.GetFileName(full));
        if (!File.Exists(Path.Combine(folder, name + ".json")))
        {
            return (null, $"{argument}: no {name}.json in {folder}; name a module file, or a folder holding one named after the folder");
        }

        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden, IgnoreInaccessible = false };
        foreach (var file in Directory.EnumerateFiles(folder, "*", options))
        {
            var relative = Path.GetRelativePath(folder, file);
            if (relative.Split('/').Any(part => part.StartsWith('.')))
            {
                continue;
            }

            var bytes = File.ReadAllBytes(file);
            total += bytes.Length;
            if (files.Count >= MaxFiles || total > MaxBytes)
            {
                return (null, $"{argument}: {folder} holds more than {MaxFiles} files or {MaxBytes / (1024 * 1024)} MiB, more than a module may send to the daemon; " +
                    "give the module a folder of its own, or put it in one of the site's repositories and install it by name");
            }

            files[relative] = Convert.ToBase64String(bytes);
        }

        return (new ModuleUploadV1(name, files), null);
    }
}
