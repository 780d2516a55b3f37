using Tappaas.Abstractions.State;

namespace Tappaas.State.Tests;

/// <summary>The behaviour every state store must have; run against SQLite and PostgreSQL.</summary>
public abstract class StateStoreContract
{
    protected abstract Task<IStateStore> CreateAsync();

    /// <summary>A new store made from a copy <see cref="IStateStore.CopyToAsync"/> wrote (the file in the folder).</summary>
    protected abstract Task<IStateStore> FromCopyAsync(string file);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static LockHolder Holder(string owner, TimeSpan lease, int pid = 1) =>
        new(owner, "host", pid, "install", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow + lease);

    [Fact]
    public async Task A_copy_taken_while_the_store_is_in_use_restores_as_it_was_then()
    {
        await using var store = await CreateAsync();
        await store.SaveModuleAsync("app", "{\"v\": 1}", "installed", "install", Ct);
        await store.SaveModuleAsync("app", "{\"v\": 2}", "installed", "update", Ct);
        await store.AppendEventAsync("app", "ready", "guest app-0 is ready", Ct);
        using var dir = new TestUtilities.TempDir();
        var file = await store.CopyToAsync(dir.Path, Ct);
        await store.SaveModuleAsync("later", "{}", "installed", "install", Ct); // after the copy: not in it

        await using var copy = await FromCopyAsync(Path.Combine(dir.Path, file));
        Assert.Equal(2, await copy.GetRevisionAsync(Ct));
        Assert.Equal(["app"], (await copy.ListModulesAsync(Ct)).Select(m => m.Name));
        Assert.Equal(["install", "update"], (await copy.HistoryAsync("app", Ct)).Select(h => h.Reason));
        Assert.Equal("{\"v\": 2}", (await copy.GetModuleAsync("app", Ct))!.Definition);
        Assert.Equal(["guest app-0 is ready"], (await copy.ReadEventsAsync(0, 10, Ct)).Select(e => e.Message));
        Assert.Equal(3, await store.GetRevisionAsync(Ct)); // the original went on
    }

    [Fact]
    public async Task A_change_stamp_changes_with_every_commit_and_only_then()
    {
        await using var store = await CreateAsync();
        var first = await store.ChangeStampAsync(Ct);
        await store.SaveModuleAsync("app", "{}", "installed", "install", Ct);
        if (first is null)
        {
            Assert.Null(await store.ChangeStampAsync(Ct)); // a store without stamps never has one: readers read every time
            return;
        }

        var saved = await store.ChangeStampAsync(Ct);
        Assert.NotEqual(first, saved);
        await store.ListModulesAsync(Ct);
        await store.ReadEventsAsync(0, 10, Ct);
        Assert.Equal(saved, await store.ChangeStampAsync(Ct)); // reads commit nothing
        await store.AppendEventAsync("app", "ready", "guest app-0 is ready", Ct);
        Assert.NotEqual(saved, await store.ChangeStampAsync(Ct));
    }

    [Fact]
    public async Task Migrations_are_versioned_and_repeatable()
    {
        await using var store = await CreateAsync();
        await store.MigrateAsync(Ct);
        Assert.Equal(1, await store.SchemaVersionAsync(Ct));
        Assert.Equal(0, await store.GetRevisionAsync(Ct));
    }

    [Fact]
    public async Task Saving_keeps_every_revision_and_bumps_the_site_revision()
    {
        await using var store = await CreateAsync();
        var first = await store.SaveModuleAsync("app", "{\"v\": 1}", "installed", "install", Ct);
        var second = await store.SaveModuleAsync("app", "{\"v\": 2}", "installed", "update", Ct);
        Assert.Equal((1, 2), (first.Revision, second.Revision));
        Assert.Equal(2, await store.GetRevisionAsync(Ct));
        var history = await store.HistoryAsync("app", Ct);
        Assert.Equal(["install", "update"], history.Select(h => h.Reason));
        Assert.Equal("{\"v\": 1}", history[0].Definition);
        Assert.Equal("{\"v\": 2}", (await store.GetModuleAsync("app", Ct))!.Definition);
    }

    [Fact]
    public async Task Status_change_without_reason_keeps_the_revision()
    {
        await using var store = await CreateAsync();
        await store.SaveModuleAsync("app", "{}", "installed", "install", Ct);
        var archived = await store.SaveModuleAsync("app", "{}", "archived", null, Ct);
        Assert.Equal(1, archived.Revision);
        Assert.Equal("archived", (await store.GetModuleAsync("app", Ct))!.Status);
        Assert.Single(await store.HistoryAsync("app", Ct));
    }

    [Fact]
    public async Task Removed_modules_keep_their_history()
    {
        await using var store = await CreateAsync();
        await store.SaveModuleAsync("b", "{}", "installed", "install", Ct);
        await store.SaveModuleAsync("a", "{}", "installed", "install", Ct);
        Assert.Equal(["a", "b"], (await store.ListModulesAsync(Ct)).Select(m => m.Name));
        await store.RemoveModuleAsync("b", Ct);
        Assert.Null(await store.GetModuleAsync("b", Ct));
        Assert.Single(await store.HistoryAsync("b", Ct));
        Assert.Equal(3, await store.GetRevisionAsync(Ct));
    }

    [Fact]
    public async Task Journal_runs_and_unfinished_detection()
    {
        await using var store = await CreateAsync();
        var run = await store.BeginApplyAsync("install", "{\"plan\": []}", "host:1", Ct);
        await store.AppendJournalAsync(new JournalEntry(run.Id, 0, "app/cluster:vm", "started", "", DateTimeOffset.UtcNow), Ct);
        await store.AppendJournalAsync(new JournalEntry(run.Id, 0, "app/cluster:vm", "completed", "ok", DateTimeOffset.UtcNow), Ct);
        Assert.Equal(run.Id, (await store.FindUnfinishedApplyAsync(Ct))!.Id);
        Assert.Equal(["started", "completed"], (await store.ReadJournalAsync(run.Id, Ct)).Select(j => j.Phase));
        await store.FinishApplyAsync(run.Id, "succeeded", Ct);
        Assert.Null(await store.FindUnfinishedApplyAsync(Ct));
        Assert.Equal("succeeded", (await store.ListAppliesAsync(5, Ct)).Single().Status);
    }

    [Fact]
    public async Task Events_are_ordered()
    {
        await using var store = await CreateAsync();
        var e1 = await store.AppendEventAsync("app", "installed", "first", Ct);
        await store.AppendEventAsync("app", "updated", "second", Ct);
        var after = await store.ReadEventsAsync(e1.Id, 10, Ct);
        Assert.Equal(["updated"], after.Select(e => e.Kind));
    }

    [Fact]
    public async Task The_newest_events_of_one_module_or_of_all_come_newest_first()
    {
        await using var store = await CreateAsync();
        for (var i = 0; i < 5; i++)
        {
            await store.AppendEventAsync(i % 2 == 0 ? "app" : "db", "ready", $"event {i}", Ct);
        }

        Assert.Equal(["event 4", "event 2"], (await store.ReadLatestEventsAsync("app", 2, Ct)).Select(e => e.Message));
        Assert.Equal(["event 3", "event 1"], (await store.ReadLatestEventsAsync("db", 10, Ct)).Select(e => e.Message));
        Assert.Equal(["event 4"], (await store.ReadLatestEventsAsync(null, 1, Ct)).Select(e => e.Message));
        Assert.Empty(await store.ReadLatestEventsAsync("gone", 10, Ct));
    }

    [Fact]
    public async Task Lock_is_exclusive_until_released_or_expired()
    {
        await using var store = await CreateAsync();
        Assert.Null(await store.TryAcquireLockAsync(Holder("a", TimeSpan.FromMinutes(1)), _ => false, Ct));
        var blocked = await store.TryAcquireLockAsync(Holder("b", TimeSpan.FromMinutes(1)), _ => false, Ct);
        Assert.Equal("a", blocked!.Owner);
        Assert.True(await store.RenewLockAsync("a", DateTimeOffset.UtcNow.AddMinutes(2), Ct));
        await store.ReleaseLockAsync("a", Ct);
        Assert.Null(await store.GetLockAsync(Ct));
        Assert.Null(await store.TryAcquireLockAsync(Holder("b", TimeSpan.FromMilliseconds(-1)), _ => false, Ct));
        Assert.Null(await store.TryAcquireLockAsync(Holder("c", TimeSpan.FromMinutes(1)), _ => false, Ct)); // b's lease had expired
        Assert.False(await store.RenewLockAsync("b", DateTimeOffset.UtcNow.AddMinutes(1), Ct));
    }

    [Fact]
    public async Task Lock_of_a_dead_holder_can_be_stolen()
    {
        await using var store = await CreateAsync();
        Assert.Null(await store.TryAcquireLockAsync(Holder("dead", TimeSpan.FromHours(1), pid: 999999), _ => false, Ct));
        Assert.Null(await store.TryAcquireLockAsync(Holder("new", TimeSpan.FromHours(1)), h => h.ProcessId == 999999, Ct));
        Assert.Equal("new", (await store.GetLockAsync(Ct))!.Owner);
    }

    [Fact]
    public async Task Concurrent_lock_attempts_have_exactly_one_winner()
    {
        await using var store = await CreateAsync();
        var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(() => store.TryAcquireLockAsync(Holder($"o{i}", TimeSpan.FromMinutes(1)), _ => false, Ct)));
        var results = await Task.WhenAll(attempts);
        Assert.Single(results, r => r is null);
    }

    [Fact]
    public async Task Concurrent_saves_lose_no_revision()
    {
        await using var store = await CreateAsync();
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => store.SaveModuleAsync("m", $"{{\"i\": {i}}}", "installed", $"r{i}", Ct))));
        Assert.Equal(10, (await store.HistoryAsync("m", Ct)).Count);
        Assert.Equal(10, await store.GetRevisionAsync(Ct));
    }
}
