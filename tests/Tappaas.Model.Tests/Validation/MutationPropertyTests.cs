using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Model.Validation;
using Tappaas.TestUtilities;
using Tappaas.Model.Diagnostics;

namespace Tappaas.Model.Tests.Validation;

/// <summary>
/// Mutates module files at random (the corpus's apps and test fixtures, and the example stack's modules, so it runs without
/// the corpus too) and checks the parser and validator always answer with diagnostics, never an exception.
/// </summary>
public sealed class MutationPropertyTests
{
    private static readonly string[] s_sources =
    [
        .. Corpus.JsonFiles().Where(f => f.StartsWith("src/apps/", StringComparison.Ordinal) || f.Contains("test-fixtures", StringComparison.Ordinal))
            .Select(f => File.ReadAllText(Corpus.PathOf(f))),
        .. Directory.GetFiles(Path.Combine(RepoPaths.Root, "examples"), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllText),
    ];

    private static readonly string[] s_fragments =
        ["{", "}", "[", "]", ",", ":", "\"", "null", "true", "-1", "1e999", "\"config\"", "\"cluster:vm\"", "\\u0000", "\"-comment\"", "{\"a\":{}}", "\"16GB\"", "99999999999999999999"];

    private static byte[] Mutate(string source, int kind, int position, int length, int fragment, byte noise)
    {
        var bytes = Encoding.UTF8.GetBytes(source);
        var at = Math.Clamp(position % Math.Max(bytes.Length, 1), 0, bytes.Length);
        var len = Math.Min(length % 40, bytes.Length - at);
        var list = bytes.ToList();
        switch (kind % 5)
        {
            case 0:
                list.RemoveRange(at, len);
                break;
            case 1:
                list.InsertRange(at, Encoding.UTF8.GetBytes(s_fragments[fragment % s_fragments.Length]));
                break;
            case 2:
                if (list.Count > 0)
                {
                    list[Math.Min(at, list.Count - 1)] = noise;
                }

                break;
            case 3:
                return [.. list.Take(at)];
            default:
                list.RemoveRange(at, len);
                list.InsertRange(at, Encoding.UTF8.GetBytes(s_fragments[fragment % s_fragments.Length]));
                break;
        }

        return [.. list];
    }

    [FsCheck.Xunit.Property(MaxTest = 400)]
    public Property Validator_never_throws_on_mutated_modules(NonNegativeInt file, NonNegativeInt kind, NonNegativeInt position, NonNegativeInt length, NonNegativeInt fragment, byte noise)
    {
        var bytes = Mutate(s_sources[file.Get % s_sources.Length], kind.Get, position.Get, length.Get, fragment.Get, noise);
        var parsed = JsonSource.Parse("mutant.json", bytes);
        var bag = new DiagnosticBag();
        bag.AddRange(parsed.Diagnostics);
        if (parsed.Root is JObject root)
        {
            var module = new ModuleDefinition("mutant", "mutant.json", root);
            ModuleValidator.Validate(module, ValidationContext.None, bag);
            _ = JsonText.Write(module.ToCanonical());
        }

        var explained = parsed.Root is not null || bag.HasErrors;
        return explained.Label("an unparseable file must come with an error")
            .And(bag.All(d => d.Message.Length > 0 && d.Location is not null).Label("every diagnostic has a message and a location"));
    }
}
