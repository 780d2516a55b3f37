namespace Tappaas.Abstractions.State;

/// <summary>One applied definition of a module, kept forever so rollback can re-apply it.</summary>
/// <param name="Module">The module name.</param>
/// <param name="Revision">1, 2, 3… per module.</param>
/// <param name="Definition">The applied module file in canonical form.</param>
/// <param name="Reason">Why it was applied (install, update, rollback to r2, …).</param>
/// <param name="AppliedAt">When.</param>
public sealed record ModuleRevision(string Module, int Revision, string Definition, string Reason, DateTimeOffset AppliedAt);
