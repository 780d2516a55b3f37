using Tappaas.Abstractions.State;

namespace Tappaas.State.Tests;

[CollectionDefinition(nameof(PostgresCollection))]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>;

[Collection(nameof(PostgresCollection))]
public sealed class PostgresStateStoreTests(PostgresServer server) : StateStoreContract
{
    protected override async Task<IStateStore> CreateAsync()
    {
        if (server.Unavailable is { } why)
        {
            Assert.Skip(why);
        }

        var store = new PostgresStateStore(await server.CreateDatabaseAsync(), TimeProvider.System);
        await store.MigrateAsync(TestContext.Current.CancellationToken);
        return store;
    }

    protected override async Task<IStateStore> FromCopyAsync(string file)
    {
        var database = await server.CreateDatabaseAsync(); // an empty database on the server, as a fresh machine's
        await PostgresStateStore.RestoreAsync(file, database, TestContext.Current.CancellationToken);
        var store = new PostgresStateStore(database, TimeProvider.System);
        await store.MigrateAsync(TestContext.Current.CancellationToken);
        return store;
    }
}
