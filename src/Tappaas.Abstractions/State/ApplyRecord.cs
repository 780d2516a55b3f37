namespace Tappaas.Abstractions.State;

/// <summary>One run of the applier, as journalled.</summary>
/// <param name="Id">Journal id of the run.</param>
/// <param name="Command">What was asked: install, update, delete, rollback, resume.</param>
/// <param name="Payload">Everything needed to resume the run (plan and desired definitions), as JSON.</param>
/// <param name="Status">running, succeeded, failed, rolled-back.</param>
/// <param name="Holder">Who ran it (host:pid).</param>
/// <param name="StartedAt">When it started.</param>
public sealed record ApplyRecord(long Id, string Command, string Payload, string Status, string Holder, DateTimeOffset StartedAt);
