namespace Tappaas.Model.Diagnostics;

/// <summary>How serious a diagnostic is.</summary>
public enum Severity
{
    /// <summary>Informational: nothing is wrong, but the operator should know.</summary>
    Info = 0,

    /// <summary>Suspicious but usable input.</summary>
    Warning = 1,

    /// <summary>The input cannot be used as it is.</summary>
    Error = 2,
}
