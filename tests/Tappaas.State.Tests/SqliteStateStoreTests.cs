using Tappaas.Abstractions.State;
using Tappaas.TestUtilities;

namespace Tappaas.State.Tests;

public sealed class SqliteStateStoreTests : StateStoreContract, IDisposable
{
    private readonly TempDir _dir = new();

    protected override async Task<IStateStore> CreateAsync()
    {
        var store = new SqliteStateStore(Path.Combine(_dir.Path, $"state-{Guid.NewGuid():N}.db"), TimeProvider.System);
        await store.MigrateAsync(TestContext.Current.CancellationToken);
        return store;
    }

    protected override async Task<IStateStore> FromCopyAsync(string file)
    {
        var path = Path.Combine(_dir.Path, $"restored-{Guid.NewGuid():N}.db");
        File.Copy(file, path);
        var store = new SqliteStateStore(path, TimeProvider.System);
        await store.MigrateAsync(TestContext.Current.CancellationToken);
        return store;
    }

    [Fact]
    public async Task The_change_stamp_sees_a_commit_made_through_another_connection()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_dir.Path, "shared.db");
        await using var reader = new SqliteStateStore(path, TimeProvider.System);
        await reader.MigrateAsync(ct);
        var before = await reader.ChangeStampAsync(ct);
        Assert.NotNull(before);
        await using (var writer = new SqliteStateStore(path, TimeProvider.System)) // as another process's CLI would
        {
            await writer.SaveModuleAsync("web", "{}", "installed", "install", ct);
        }

        Assert.NotEqual(before, await reader.ChangeStampAsync(ct));
        Assert.Equal(["web"], (await reader.ListModulesAsync(ct)).Select(m => m.Name));
    }

    public void Dispose() => _dir.Dispose();
}
