using System.Text;
using System.Text.Json;
using Tappaas.Model.Diagnostics;

namespace Tappaas.Model.Json;

/// <summary>
/// Parses JSON into <see cref="JNode"/> trees with positions. Never throws for bad input: truncated text,
/// invalid UTF-8, too-deep nesting, empty or oversized files all become diagnostics.
/// </summary>
public static class JsonSource
{
    /// <summary>TAPPaaS JSON files are small; anything larger is refused unread.</summary>
    public const long MaxFileBytes = 16L * 1024 * 1024;

    /// <summary>Deepest nesting accepted. Module files nest four levels; 64 leaves generous room.</summary>
    public const int MaxDepth = 64;

    /// <summary>Reads and parses a file.</summary>
    public static JsonParseResult ParseFile(string path, string displayPath)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes)
            {
                return Fail(Diagnostic.Error(
                    DiagnosticCodes.FileTooLarge, SourceLocation.ForFile(displayPath),
                    $"file is {info.Length / (1024.0 * 1024.0):0.#} MiB; TAPPaaS JSON files may be at most {MaxFileBytes / (1024 * 1024)} MiB",
                    "check that this is the file you meant; module, zone and catalog files are a few kilobytes"));
            }

            return Parse(displayPath, File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(Diagnostic.Error(
                DiagnosticCodes.FileUnreadable, SourceLocation.ForFile(displayPath),
                $"cannot read the file: {ex.Message}", "check that the file exists and is readable"));
        }
    }

    /// <summary>Parses UTF-8 bytes.</summary>
    public static JsonParseResult Parse(string displayPath, ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(Encoding.UTF8.Preamble))
        {
            bytes = bytes[3..];
        }

        if (IsBlank(bytes))
        {
            return Fail(Diagnostic.Error(
                DiagnosticCodes.EmptyFile, SourceLocation.ForFile(displayPath),
                "the file is empty", "write a JSON object, for example {\"description\": \"…\"}, or remove the file"));
        }

        var lines = new LineMap(bytes);
        var warnings = new List<Diagnostic>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            MaxDepth = MaxDepth,
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
        });

        try
        {
            var root = Builder.Build(ref reader, bytes, lines, displayPath, warnings);
            return new JsonParseResult(root, warnings);
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + 1;
            var column = (int)(ex.BytePositionInLine ?? 0) + 1;
            return Fail(Classify(ex, displayPath, line, column));
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader reports invalid UTF-8 inside strings this way.
            var at = lines.PositionOf(reader.TokenStartIndex, bytes);
            return Fail(Diagnostic.Error(
                DiagnosticCodes.InvalidUtf8, new SourceLocation(displayPath, "$", at.Line, at.Column),
                $"the file is not valid UTF-8 text ({Trim(ex.Message)})", "save the file as UTF-8"));
        }
    }

    private static Diagnostic Classify(JsonException ex, string file, int line, int column)
    {
        var message = Trim(ex.Message);
        var location = new SourceLocation(file, "$", line, column);
        if (message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            return Diagnostic.Error(DiagnosticCodes.TooDeep, location,
                $"JSON nesting is deeper than {MaxDepth} levels", "TAPPaaS files nest only a few levels; check for runaway brackets");
        }

        if (message.Contains("UTF-8", StringComparison.OrdinalIgnoreCase) || message.Contains("invalid start of a value", StringComparison.Ordinal) && ex.InnerException is DecoderFallbackException)
        {
            return Diagnostic.Error(DiagnosticCodes.InvalidUtf8, location,
                $"the file is not valid UTF-8 text ({message})", "save the file as UTF-8");
        }

        return Diagnostic.Error(DiagnosticCodes.InvalidJson, location,
            $"invalid JSON: {message}", "fix the syntax at this line and column (a missing comma, quote or bracket is the usual cause)");
    }

    private static string Trim(string message)
    {
        foreach (var cut in new[] { " Path:", " LineNumber:", " | LineNumber" })
        {
            var at = message.IndexOf(cut, StringComparison.Ordinal);
            if (at > 0)
            {
                message = message[..at];
            }
        }

        return message.TrimEnd('.', ' ');
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    private static JsonParseResult Fail(Diagnostic d) => new(null, [d]);
}
