using Tappaas.Model.Diagnostics;
using Tappaas.Model.Fields;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;

namespace Tappaas.Model.Validation;

public static partial class ModuleValidator
{
    /// <summary>Checks one value against its field definition (also used for sidecar files).</summary>
    internal static void CheckFieldValue(FieldDefinition def, FlatField field, DiagnosticSink sink) => CheckValue(def, field, sink);

    private static void CheckValue(FieldDefinition def, FlatField field, DiagnosticSink sink)
    {
        var value = field.Value;
        if (value is JNull)
        {
            return; // null means "use the default", as upstream's node/HANode defaults do
        }

        switch (def.Type)
        {
            case FieldType.String:
                CheckString(def, field, sink);
                break;
            case FieldType.Integer:
                CheckInteger(def, field, sink);
                break;
            case FieldType.Boolean:
                if (value.ScalarText is not ("true" or "false") || value is JNumber)
                {
                    WrongType(def, field, sink, "true or false");
                }

                break;
            case FieldType.Array:
                if (def.Name == "discoveryMdns" && value is JBool)
                {
                    sink.Warning(DiagnosticCodes.Deprecated, field.SourcePath, field.Position,
                        "discoveryMdns as a boolean is deprecated", "list the zones that should see the announcements, e.g. [\"home\"]");
                }
                else if (value is not JArray array)
                {
                    WrongType(def, field, sink, "an array");
                }
                else
                {
                    CheckItems(def, array, field.SourcePath, sink);
                }

                break;
            case FieldType.Object:
                if (value is not JObject obj)
                {
                    WrongType(def, field, sink, "an object");
                }
                else
                {
                    CheckMembers(def, obj, field.SourcePath, sink);
                }

                break;
        }
    }

    private static void CheckString(FieldDefinition def, FlatField field, DiagnosticSink sink)
    {
        if (field.Value.ScalarText is not { } text)
        {
            WrongType(def, field, sink, "a string");
            return;
        }

        if (def.Pattern is { } pattern && !Patterns.IsMatch(pattern, text))
        {
            sink.Error(DiagnosticCodes.PatternMismatch, field.SourcePath, field.Value.Position,
                $"{def.Name} \"{text}\" does not match {pattern}",
                def.Example is null ? def.Summary : $"write it like \"{def.Example}\" — {def.Summary}");
        }

        if (def.Values is { } values && !values.Contains(text))
        {
            var close = values.FirstOrDefault(v => string.Equals(v, text, StringComparison.OrdinalIgnoreCase));
            sink.Error(DiagnosticCodes.NotAllowedValue, field.SourcePath, field.Value.Position,
                $"{def.Name} \"{text}\" is not one of {string.Join(", ", values)}",
                close is not null ? $"write \"{close}\" (values are case-sensitive)" : $"use one of {string.Join(", ", values)}");
        }
    }

    private static void CheckInteger(FieldDefinition def, FlatField field, DiagnosticSink sink)
    {
        var number = Lenient.Integer(field.Value);
        if (number is null && field.Value.ScalarText is { } digits && System.Text.RegularExpressions.Regex.IsMatch(digits, "^-?[0-9]+$"))
        {
            // A whole number, too large for any field (beyond 64 bits): out of range, not of the wrong type.
            var negative = digits.StartsWith('-');
            var bound = negative ? def.Minimum : def.Maximum;
            sink.Error(negative ? DiagnosticCodes.BelowMinimum : DiagnosticCodes.AboveMaximum, field.SourcePath, field.Value.Position,
                $"{def.Name} is {Shorten(digits)}, out of range{(bound is { } b ? $" ({(negative ? "the minimum is" : "the maximum is")} {b})" : "")}",
                bound is { } limit ? $"use a value {(negative ? "of at least" : "of at most")} {limit}" : def.Summary);
            return;
        }

        if (number is null)
        {
            WrongType(def, field, sink, "a whole number");
            return;
        }

        if (def.Minimum is { } min && number < min)
        {
            sink.Error(DiagnosticCodes.BelowMinimum, field.SourcePath, field.Value.Position,
                $"{def.Name} is {number}, below the minimum of {min}", $"use a value of at least {min}");
        }

        if (def.Maximum is { } max && number > max)
        {
            sink.Error(DiagnosticCodes.AboveMaximum, field.SourcePath, field.Value.Position,
                $"{def.Name} is {number}, above the maximum of {max}", $"use a value of at most {max}");
        }
    }

    private static void WrongType(FieldDefinition def, FlatField field, DiagnosticSink sink, string expected)
    {
        var shown = field.Value.ScalarText is { } t ? $"{field.Value.KindName} (\"{Shorten(t)}\")" : field.Value.KindName;
        sink.Error(DiagnosticCodes.WrongType, field.SourcePath, field.Value.Position,
            $"{def.Name} is {shown}, expected {expected}",
            def.Example is null ? def.Summary : $"write it like \"{def.Example}\" — {def.Summary}");
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
