using System.Text;
using Tappaas.Abstractions.State;
using Tappaas.Engine.Apply;
using Tappaas.Engine.Merging;
using Tappaas.Model.Diagnostics;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;

namespace Tappaas.Engine;

public sealed partial class SiteEngine
{
    /// <summary>
    /// The installed copy of a module as the operator left it: <c>config/&lt;name&gt;.json</c> when it holds a module
    /// (upstream treats that file as the desired state, so an operator's edits there count), else the recorded revision.
    /// </summary>
    public ModuleDefinition InstalledCopy(InstalledModule record)
    {
        var file = Layout.ModuleFile(record.Name);
        if (File.Exists(file) && JsonSource.ParseFile(file, file) is { Root: JObject root } parsed && !parsed.Diagnostics.Any(d => d.Severity == Severity.Error))
        {
            return new ModuleDefinition(record.Name, file, root);
        }

        return Parse(record.Name, record.Definition);
    }

    /// <summary>
    /// The release file an installed module is updated from, as upstream finds it in the module's <c>location</c>: for a
    /// variant install (<c>variant</c> v, named <c>&lt;base&gt;-v</c>) <c>&lt;base&gt;.json</c>; else <c>&lt;name&gt;.json</c>, then
    /// the name with its last <c>-suffix</c> stripped until a file exists. Null (with the files looked for) when none does.
    /// </summary>
    public static (string? File, IReadOnlyList<string> Tried) ReleaseFileOf(string name, ModuleDefinition installed)
    {
        if (installed.Text("location") is not { Length: > 0 } location)
        {
            return (null, []);
        }

        var names = new List<string>();
        if (installed.Text("variant") is { Length: > 0 } variant && name.EndsWith("-" + variant, StringComparison.Ordinal))
        {
            names.Add(name[..^(variant.Length + 1)]);
        }

        names.Add(name);
        for (var n = name; n.LastIndexOf('-') is var dash and > 0; n = n[..dash])
        {
            names.Add(n[..dash]);
        }

        var tried = names.Distinct(StringComparer.Ordinal).Select(n => Path.Combine(location, n + ".json")).ToList();
        return (tried.FirstOrDefault(File.Exists), tried);
    }

    /// <summary>What an update of an installed module records: the 3-way merge of its installed copy, its baseline and a release.</summary>
    /// <param name="Definition">The merged module, canonical, stamped with updateTime.</param>
    /// <param name="Release">The release as read (its file's own positions).</param>
    /// <param name="ReleaseText">The release file's text (the next baseline).</param>
    /// <param name="Folder">The release's folder.</param>
    /// <param name="Current">The installed copy the merge started from.</param>
    /// <param name="Merge">What happened per leaf.</param>
    /// <param name="Notes">Warnings for the conflicts: the operator's value kept where the release changed it too.</param>
    internal sealed record MergedRelease(string Definition, ModuleDefinition Release, string ReleaseText, string Folder, ModuleDefinition Current,
        ModuleMerge.Result Merge, IReadOnlyList<Diagnostic> Notes);

    /// <summary>Merges an installed module with a release (default: the one in its location); a refusal when there is no release to read.</summary>
    internal async Task<(MergedRelease? Merged, ApplyOutcome? Refusal)> MergeReleaseAsync(InstalledModule record, ModuleSource? release, CancellationToken cancellationToken)
    {
        var module = record.Name;
        var current = InstalledCopy(record);
        string releaseFile, releaseText, folder;
        if (release is not null)
        {
            (releaseFile, releaseText, folder) = (release.Definition.File, release.ReleaseText, release.Folder);
            if (releaseText.Length == 0 && File.Exists(releaseFile))
            {
                releaseText = await File.ReadAllTextAsync(releaseFile, cancellationToken);
            }
        }
        else
        {
            var located = current.Has("location") ? current : Parse(module, record.Definition);
            var (file, tried) = ReleaseFileOf(module, located);
            if (file is null)
            {
                return (null, ApplyOutcome.Refuse(EngineCodes.ModuleNotFound,
                    tried.Count == 0 ? $"\"{module}\" records no location to find its release in"
                        : $"the release of \"{module}\" was not found (looked for {string.Join(", ", tried)})",
                    "restore the module's folder, or install it again from its new location with --force"));
            }

            (releaseFile, releaseText, folder) = (file, await File.ReadAllTextAsync(file, cancellationToken), Path.GetDirectoryName(Path.GetFullPath(file))!);
        }

        var parsed = JsonSource.Parse(releaseFile, Encoding.UTF8.GetBytes(releaseText));
        if (parsed.Root is not JObject releaseRoot)
        {
            return (null, new ApplyOutcome(ApplyStatus.Refused, parsed.Diagnostics.Count > 0 ? parsed.Diagnostics : [NotAnObject(releaseFile, parsed.Root)]));
        }

        var source = new ModuleDefinition(module, releaseFile, releaseRoot);
        var origFile = Layout.OrigFile(module);
        var orig = File.Exists(origFile) && JsonSource.ParseFile(origFile, origFile).Root is JObject origRoot
            ? new ModuleDefinition(module, origFile, origRoot).ToFlat() : source.ToFlat();
        var merge = ModuleMerge.Merge(current.ToFlat(), orig, source.ToFlat());
        var definition = ModuleText.WithField(JsonText.Write(new ModuleDefinition(module, module + ".json", merge.Merged).ToCanonical()), "updateTime",
            new JString(time.GetUtcNow().ToString("yyyyMMdd-HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)));
        var notes = merge.Leaves.Where(l => l.Outcome == MergeOutcome.Conflict).Select(l => Diagnostic.Warning(EngineCodes.MergeConflict,
            LocationIn(current, l.Path),
            $"{l.Path} of \"{module}\": kept {Show(JsonPathText.Find(current.ToFlat(), l.Path))} as edited in {current.File}; the release changes it from " +
            $"{Show(JsonPathText.Find(orig, l.Path))} to {Show(JsonPathText.Find(source.ToFlat(), l.Path))}",
            $"to take the release's value, write it into {current.File} (or remove the line) and update again")).ToList();
        return (new MergedRelease(definition, source, releaseText, folder, current, merge, notes), null);
    }

    /// <summary>The fields of an installed module whose value in its installed copy differs from the recorded revision: the operator's edits.</summary>
    internal static IReadOnlyList<string> EditedFields(ModuleDefinition current, InstalledModule record) =>
        Planning.Planner.ChangedFields(Parse(record.Name, record.Definition), current);

    /// <summary>
    /// Diagnostics made on definitions rebuilt from canonical text (named <c>&lt;module&gt;.json</c>, positions in text no
    /// one wrote) pointed at the operator's own files instead: the same field, its path and position there.
    /// </summary>
    internal static IReadOnlyList<Diagnostic> Relocate(IEnumerable<Diagnostic> diagnostics, IReadOnlyDictionary<string, ModuleDefinition> originals) =>
        [.. diagnostics.Select(d => d.Location is { } l && Path.GetFileNameWithoutExtension(l.File) is var name && l.File == name + ".json"
            && originals.TryGetValue(name, out var original) && original.File != l.File
            ? d with { Location = LocationIn(original, l.JsonPath) }
            : d)];

    /// <summary>Where a flat or canonical path of a module is in the module's own file (the field's path and position there).</summary>
    internal static SourceLocation LocationIn(ModuleDefinition module, string path)
    {
        var steps = JsonPathText.Parse(path)?.ToList() ?? [];
        if (steps is ["config", string, ..] && steps.Count >= 3)
        {
            steps = steps[2..]; // a canonical config block: the field inside it is the flat field
        }

        if (steps.Count == 0 || steps[0] is not string field || module.Field(field) is not { } flat)
        {
            return SourceLocation.ForFile(module.File);
        }

        var (node, at) = (flat.Value, flat.SourcePath);
        foreach (var step in steps.Skip(1))
        {
            var next = (step, node) switch
            {
                (string member, JObject o) => o[member],
                (int index, JArray a) when index < a.Items.Count => a.Items[index],
                _ => null,
            };
            if (next is null)
            {
                break;
            }

            (node, at) = (next, step is int i ? JsonPathText.Index(at, i) : JsonPathText.Member(at, (string)step));
        }

        return new SourceLocation(module.File, at, node.Position.Line, node.Position.Column);
    }

    /// <summary>The modules' files in the config folder as they are now (a run's way back to them).</summary>
    private Dictionary<string, PriorFiles> PriorFilesOf(IEnumerable<string> modules) => modules.Distinct(StringComparer.Ordinal).ToDictionary(m => m,
        m => new PriorFiles(File.Exists(Layout.ModuleFile(m)) ? File.ReadAllText(Layout.ModuleFile(m)) : null, File.Exists(Layout.OrigFile(m)) ? File.ReadAllText(Layout.OrigFile(m)) : null),
        StringComparer.Ordinal);

    /// <summary>A file that parses but holds no module object, as <c>validate</c> says it.</summary>
    public static Diagnostic NotAnObject(string file, JNode? root) => Diagnostic.Error(DiagnosticCodes.RootNotObject,
        new SourceLocation(file, "$", root?.Position.Line ?? 0, root?.Position.Column ?? 0),
        $"the file holds {root?.KindName ?? "nothing"}; a module file is a JSON object", "wrap the content in { … } with named fields");

    private static string Show(JNode? node) =>
        node is null ? "nothing" : node.ScalarText is { } t && node is not JString ? t : JsonText.Write(node).Replace("\n", " ", StringComparison.Ordinal).Trim();
}
