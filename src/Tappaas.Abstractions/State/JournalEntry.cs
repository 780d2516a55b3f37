namespace Tappaas.Abstractions.State;

/// <summary>One journal line: a step's phase, written before and after the step runs.</summary>
/// <param name="ApplyId">The run.</param>
/// <param name="Step">Step number in the run's plan.</param>
/// <param name="Address">The step's address (module or module/provider:service).</param>
/// <param name="Phase">started, completed, failed, undoing, undone, skipped.</param>
/// <param name="Detail">What happened, for people.</param>
/// <param name="At">When.</param>
public sealed record JournalEntry(long ApplyId, int Step, string Address, string Phase, string Detail, DateTimeOffset At);
