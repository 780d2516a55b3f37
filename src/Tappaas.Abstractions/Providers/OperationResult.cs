using Tappaas.Model.Diagnostics;

namespace Tappaas.Abstractions.Providers;

/// <summary>The result of an operation: status, diagnostics and the output to keep in the module's log.</summary>
/// <param name="Status">Ok, Failed or Fatal.</param>
/// <param name="Diagnostics">Problems found; never secrets.</param>
/// <param name="Output">What the operation printed.</param>
public sealed record OperationResult(OperationStatus Status, IReadOnlyList<Diagnostic> Diagnostics, string Output)
{
    /// <summary>Success with optional output.</summary>
    public static OperationResult Ok(string output = "") => new(OperationStatus.Ok, [], output);

    /// <summary>Nothing ran because there is nothing to run (a hook that does not exist); counts as success, reported as skipped.</summary>
    public static OperationResult Skip(string why) => new(OperationStatus.Ok, [], why) { Skipped = true };

    /// <summary>True when nothing ran (see <see cref="Skip"/>); <see cref="Output"/> says why.</summary>
    public bool Skipped { get; init; }

    /// <summary>A failure with one message (<see cref="DiagnosticCodes.ProviderFailed"/>; the engine adds where in the module it applies).</summary>
    public static OperationResult Fail(OperationStatus status, string message, string output = "") =>
        new(status, [Diagnostic.Error(DiagnosticCodes.ProviderFailed, null, message)], output);

    /// <summary>The same result, its diagnostics that say nowhere pointing at <paramref name="location"/> (the service in the consumer's file).</summary>
    public OperationResult At(SourceLocation location) =>
        Diagnostics.All(d => d.Location is not null) ? this : this with { Diagnostics = [.. Diagnostics.Select(d => d.Location is null ? d with { Location = location } : d)] };

    /// <summary>True for <see cref="OperationStatus.Ok"/>.</summary>
    public bool Succeeded => Status == OperationStatus.Ok;

    /// <summary>The first diagnostic's message, or the status.</summary>
    public string Message => Diagnostics.FirstOrDefault()?.Message ?? Status.ToString();
}
