namespace Tappaas.Model.Diagnostics;

/// <summary>An ordered, append-only collection of diagnostics.</summary>
public sealed class DiagnosticBag : IReadOnlyList<Diagnostic>
{
    private readonly List<Diagnostic> _items = [];

    /// <summary>True when any diagnostic is an error.</summary>
    public bool HasErrors => _items.Exists(d => d.Severity == Severity.Error);

    /// <summary>Number of errors.</summary>
    public int ErrorCount => _items.Count(d => d.Severity == Severity.Error);

    /// <summary>Number of warnings.</summary>
    public int WarningCount => _items.Count(d => d.Severity == Severity.Warning);

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public Diagnostic this[int index] => _items[index];

    /// <summary>Adds one diagnostic.</summary>
    public void Add(Diagnostic diagnostic) => _items.Add(diagnostic);

    /// <summary>Adds several diagnostics.</summary>
    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);

    /// <summary>Diagnostics sorted by file, line, column, then severity (errors first).</summary>
    public IReadOnlyList<Diagnostic> Sorted() =>
        [.. _items
            .Select((d, i) => (d, i))
            .OrderBy(x => x.d.Location?.File ?? "", StringComparer.Ordinal)
            .ThenBy(x => x.d.Location?.Line ?? 0)
            .ThenBy(x => x.d.Location?.Column ?? 0)
            .ThenBy(x => x.i)
            .Select(x => x.d)];

    /// <inheritdoc />
    public IEnumerator<Diagnostic> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
