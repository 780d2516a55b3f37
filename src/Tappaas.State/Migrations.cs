namespace Tappaas.State;

/// <summary>
/// Versioned schema migrations, applied in order and recorded in <c>schema_migrations</c>. Never edit a shipped
/// migration; add the next one. <c>{id}</c> is replaced by the dialect's auto-increment key.
/// </summary>
internal static class Migrations
{
    public static IReadOnlyList<(int Version, string Name, string Sql)> All { get; } =
    [
        (1, "initial schema", """
            CREATE TABLE site (id INTEGER PRIMARY KEY, revision BIGINT NOT NULL);
            INSERT INTO site (id, revision) VALUES (1, 0);
            CREATE TABLE modules (name TEXT PRIMARY KEY, revision INTEGER NOT NULL, definition TEXT NOT NULL, status TEXT NOT NULL, updated_at BIGINT NOT NULL);
            CREATE TABLE revisions (module TEXT NOT NULL, revision INTEGER NOT NULL, definition TEXT NOT NULL, reason TEXT NOT NULL, applied_at BIGINT NOT NULL, PRIMARY KEY (module, revision));
            CREATE TABLE applies ({id}, command TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL, holder TEXT NOT NULL, started_at BIGINT NOT NULL, finished_at BIGINT);
            CREATE TABLE journal ({id}, apply_id BIGINT NOT NULL, step INTEGER NOT NULL, address TEXT NOT NULL, phase TEXT NOT NULL, detail TEXT NOT NULL, at BIGINT NOT NULL);
            CREATE INDEX journal_apply ON journal (apply_id, id);
            CREATE TABLE events ({id}, module TEXT NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL, at BIGINT NOT NULL);
            CREATE TABLE locks (name TEXT PRIMARY KEY, owner TEXT, host TEXT, pid INTEGER, command TEXT, acquired_at BIGINT, expires_at BIGINT);
            INSERT INTO locks (name) VALUES ('apply');
            """),
    ];
}
