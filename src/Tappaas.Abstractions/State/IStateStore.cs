namespace Tappaas.Abstractions.State;

/// <summary>
/// Where a site's state lives: installed modules, every applied revision, the step journal, events and the
/// apply lock. Implementations: SQLite (default) and PostgreSQL, held to one contract test suite.
/// </summary>
public interface IStateStore : IAsyncDisposable
{
    /// <summary>Creates or upgrades the schema (versioned migrations).</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>What the store's own integrity check finds wrong (SQLite's <c>quick_check</c>), or null when it finds nothing.</summary>
    Task<string?> IntegrityProblemAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes a consistent copy of the whole store into <paramref name="folder"/> while it is in use (SQLite's
    /// <c>VACUUM INTO</c> as <c>state.db</c>; PostgreSQL's <c>pg_dump</c> as <c>state.pgdump</c>); returns the file's name.
    /// </summary>
    Task<string> CopyToAsync(string folder, CancellationToken cancellationToken);

    /// <summary>The schema version after migration.</summary>
    Task<int> SchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>The site's state revision: it grows with every committed module change. Plans carry it.</summary>
    Task<long> GetRevisionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A number that changes whenever anything was committed to the store (by this process or another) since the last
    /// call returned it, for a reader that would skip a read whose answer it has; null when the store cannot tell (then
    /// read every time). Not ordered: compare for equality only.
    /// </summary>
    ValueTask<long?> ChangeStampAsync(CancellationToken cancellationToken);

    /// <summary>All recorded modules, by name.</summary>
    Task<IReadOnlyList<InstalledModule>> ListModulesAsync(CancellationToken cancellationToken);

    /// <summary>One recorded module, or null.</summary>
    Task<InstalledModule?> GetModuleAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Records a module's new definition as its next revision (or only its status when the definition is unchanged and
    /// <paramref name="reason"/> is null) and bumps the site revision, atomically. Returns the stored record.
    /// </summary>
    Task<InstalledModule> SaveModuleAsync(string name, string definition, string status, string? reason, CancellationToken cancellationToken);

    /// <summary>Forgets a module (its revisions stay in history). Bumps the site revision.</summary>
    Task RemoveModuleAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every applied revision of a module, oldest first.</summary>
    Task<IReadOnlyList<ModuleRevision>> HistoryAsync(string name, CancellationToken cancellationToken);

    /// <summary>Starts a journalled run.</summary>
    Task<ApplyRecord> BeginApplyAsync(string command, string payload, string holder, CancellationToken cancellationToken);

    /// <summary>Appends a journal line.</summary>
    Task AppendJournalAsync(JournalEntry entry, CancellationToken cancellationToken);

    /// <summary>The journal of a run, in order.</summary>
    Task<IReadOnlyList<JournalEntry>> ReadJournalAsync(long applyId, CancellationToken cancellationToken);

    /// <summary>Marks a run finished.</summary>
    Task FinishApplyAsync(long applyId, string status, CancellationToken cancellationToken);

    /// <summary>The newest run still marked running (left by a crash), or null.</summary>
    Task<ApplyRecord?> FindUnfinishedApplyAsync(CancellationToken cancellationToken);

    /// <summary>The most recent runs, newest first.</summary>
    Task<IReadOnlyList<ApplyRecord>> ListAppliesAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Appends an event and returns it with its id.</summary>
    Task<EventRecord> AppendEventAsync(string module, string kind, string message, CancellationToken cancellationToken);

    /// <summary>Events after <paramref name="afterId"/>, oldest first.</summary>
    Task<IReadOnlyList<EventRecord>> ReadEventsAsync(long afterId, int limit, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="limit"/> events (of one module, when named), newest first.</summary>
    Task<IReadOnlyList<EventRecord>> ReadLatestEventsAsync(string? module, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the apply lock when it is free, expired, or held by <paramref name="canSteal"/>-approved holders (a dead
    /// process on this host). Returns null on success, or the current holder when someone else has it.
    /// </summary>
    Task<LockHolder?> TryAcquireLockAsync(LockHolder candidate, Func<LockHolder, bool> canSteal, CancellationToken cancellationToken);

    /// <summary>Extends the lease of a held lock; false when the lock was lost.</summary>
    Task<bool> RenewLockAsync(string owner, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Releases the lock if <paramref name="owner"/> holds it.</summary>
    Task ReleaseLockAsync(string owner, CancellationToken cancellationToken);

    /// <summary>The current holder, or null.</summary>
    Task<LockHolder?> GetLockAsync(CancellationToken cancellationToken);
}
