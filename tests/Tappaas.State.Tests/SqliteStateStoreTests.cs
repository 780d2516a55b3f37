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

    public void Dispose() => _dir.Dispose();
}
