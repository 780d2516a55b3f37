namespace Tappaas.Model.Graph;

/// <summary>Output formats of the dependency graph.</summary>
public enum GraphFormat
{
    /// <summary>One line per edge.</summary>
    Text,

    /// <summary>A JSON object with modules and edges.</summary>
    Json,

    /// <summary>Graphviz.</summary>
    Dot,

    /// <summary>Mermaid flowchart.</summary>
    Mermaid,
}
