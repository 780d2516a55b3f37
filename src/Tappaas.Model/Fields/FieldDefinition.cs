using Tappaas.Model.Modules;

namespace Tappaas.Model.Fields;

/// <summary>
/// The definition of one module field: its type, default, constraints and the services that require or use it.
/// </summary>
public sealed record FieldDefinition
{
    /// <summary>The field name as it appears in JSON.</summary>
    public required string Name { get; init; }

    /// <summary>The declared type.</summary>
    public required FieldType Type { get; init; }

    /// <summary>One line saying what the field is for.</summary>
    public required string Summary { get; init; }

    /// <summary>The default when the field is absent, as text for people (e.g. "2", "&lt;vmname&gt;.&lt;domain&gt;"); null when there is none.</summary>
    public string? Default { get; init; }

    /// <summary>A regular expression the textual value must match.</summary>
    public string? Pattern { get; init; }

    /// <summary>What a matching value looks like, for hints (e.g. "16G").</summary>
    public string? Example { get; init; }

    /// <summary>The allowed values, when the field is an enumeration.</summary>
    public IReadOnlyList<string>? Values { get; init; }

    /// <summary>Inclusive minimum for integers.</summary>
    public long? Minimum { get; init; }

    /// <summary>Inclusive maximum for integers.</summary>
    public long? Maximum { get; init; }

    /// <summary>Services whose presence in dependsOn makes the field mandatory (when it has no default).</summary>
    public IReadOnlyList<ServiceRef> RequiredBy { get; init; } = [];

    /// <summary>Services that read the field; empty means the field belongs to the module as a whole ("general").</summary>
    public IReadOnlyList<ServiceRef> UsedBy { get; init; } = [];

    /// <summary>How array items or object members are checked.</summary>
    public ItemRule Items { get; init; } = ItemRule.None;

    /// <summary>Pattern for string items (<see cref="ItemRule.Strings"/>).</summary>
    public string? ItemPattern { get; init; }

    /// <summary>Set automatically by the platform; the 3-way merge never adopts it from a release.</summary>
    public bool AutoManaged { get; init; }

    /// <summary>Stays at the top level of the canonical form, whatever service uses it.</summary>
    public bool HeaderPinned { get; init; }

    /// <summary>True when the field belongs to the module as a whole rather than to one service.</summary>
    public bool IsGeneral => UsedBy.Count == 0;

    /// <summary>True when the field is mandatory for a module that depends on <paramref name="dependsOn"/>.</summary>
    public bool IsRequiredFor(IEnumerable<ServiceRef> dependsOn) =>
        Default is null && RequiredBy.Count > 0 && dependsOn.Any(RequiredBy.Contains);
}
