namespace Tappaas.Abstractions.State;

/// <summary>A state transition or notable occurrence, with its cause.</summary>
/// <param name="Id">Increasing id (0 before it is stored).</param>
/// <param name="Module">The module it is about, or empty for the site.</param>
/// <param name="Kind">A short stable kind, e.g. <c>installed</c>, <c>update-rolled-back</c>.</param>
/// <param name="Message">What happened and why.</param>
/// <param name="At">When.</param>
public sealed record EventRecord(long Id, string Module, string Kind, string Message, DateTimeOffset At);
