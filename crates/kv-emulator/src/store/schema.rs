//! The SQLite schema and connection settings.
//!
//! Durability: the database runs in WAL mode with `synchronous=FULL`, so every commit is
//! fsynced to the WAL before the request that made it is answered; a `kill -9` (or a power
//! loss) after the answer cannot lose it. `NORMAL` would survive a process kill too, but
//! not a power loss, and the cost of `FULL` (one fsync per write) is small next to key
//! generation.

use rusqlite::Connection;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    k TEXT PRIMARY KEY,
    v TEXT NOT NULL
);
-- One row per key name. Key Vault names are case-insensitive.
CREATE TABLE IF NOT EXISTS keys (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    deleted_date INTEGER,           -- NULL while the key is active
    scheduled_purge_date INTEGER,   -- set with deleted_date
    rotation_policy TEXT            -- KeyRotationPolicy JSON, NULL for the default policy
);
CREATE INDEX IF NOT EXISTS keys_purge ON keys(scheduled_purge_date)
    WHERE scheduled_purge_date IS NOT NULL;
-- One row per key version; seq orders versions by creation.
CREATE TABLE IF NOT EXISTS key_versions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL COLLATE NOCASE REFERENCES keys(name) ON DELETE CASCADE,
    version TEXT NOT NULL,
    meta TEXT NOT NULL,             -- public key, attributes, tags, release policy (JSON)
    material BLOB NOT NULL,         -- the private JSON Web Key, sealed (AES-256-GCM)
    UNIQUE (name, version)
);
-- Managed HSM administration: custom role definitions, role assignments, settings,
-- the EKM connection.
-- Added tables only, so databases of schema version 1 gain them on open.
CREATE TABLE IF NOT EXISTS role_definitions (
    name TEXT PRIMARY KEY COLLATE NOCASE,   -- the definition's GUID
    body TEXT NOT NULL                      -- RoleDefinition JSON
);
-- Role assignment names are unique per scope, as the service's are (.NET
-- `RbacScopeAssignment`: one name at /keys and at /keys/NAME).
CREATE TABLE IF NOT EXISTS role_assignments_scoped (
    name TEXT NOT NULL COLLATE NOCASE,      -- the assignment's GUID
    scope TEXT NOT NULL COLLATE NOCASE,     -- normalized: /, /keys or /keys/name
    principal_id TEXT NOT NULL,
    body TEXT NOT NULL,                     -- RoleAssignment JSON
    PRIMARY KEY (name, scope)
);
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- The Managed HSM External Key Manager connection: at most one row.
CREATE TABLE IF NOT EXISTS ekm_connection (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    body TEXT NOT NULL                      -- EkmConnection JSON
);
-- EKM proxy private endpoints (2026-07-01-preview) and their create/delete operations.
CREATE TABLE IF NOT EXISTS ekm_private_endpoints (
    name TEXT PRIMARY KEY COLLATE NOCASE,   -- peName
    body TEXT NOT NULL                      -- EkmPrivateEndpoint JSON
);
CREATE TABLE IF NOT EXISTS ekm_private_endpoint_operations (
    id TEXT PRIMARY KEY,                    -- jobId
    body TEXT NOT NULL                      -- EkmPrivateEndpointOperation JSON
);
";

/// Applies connection settings and creates the schema.
pub fn init(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.execute_batch(SCHEMA)?;
    migrate_role_assignments(conn)?;
    conn.execute(
        "INSERT OR IGNORE INTO meta (k, v) VALUES ('schema_version', ?1)",
        [SCHEMA_VERSION.to_string()],
    )?;
    Ok(())
}

/// Moves the assignments of an older database, whose names were unique across scopes
/// (`role_assignments`), into `role_assignments_scoped`, in one transaction.
fn migrate_role_assignments(conn: &Connection) -> rusqlite::Result<()> {
    let old: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' \
         AND name = 'role_assignments')",
        [],
        |row| row.get(0),
    )?;
    if old {
        conn.execute_batch(
            "BEGIN IMMEDIATE;
             INSERT OR IGNORE INTO role_assignments_scoped (name, scope, principal_id, body)
                 SELECT name, scope, principal_id, body FROM role_assignments;
             DROP TABLE role_assignments;
             COMMIT;",
        )?;
    }
    Ok(())
}

/// The schema version recorded in the database.
pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT v FROM meta WHERE k = 'schema_version'", [], |row| {
        row.get::<_, String>(0)
    })
    .map(|v| v.parse().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_is_idempotent_and_durable() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("t.db")).unwrap();
        init(&conn).unwrap();
        init(&conn).unwrap();
        assert_eq!(version(&conn).unwrap(), SCHEMA_VERSION);
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
    }

    #[test]
    fn assignments_of_an_older_database_move_to_the_scoped_table() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("old.db")).unwrap();
        conn.execute_batch(
            "CREATE TABLE role_assignments (name TEXT PRIMARY KEY COLLATE NOCASE,
                 scope TEXT NOT NULL, principal_id TEXT NOT NULL, body TEXT NOT NULL);
             INSERT INTO role_assignments VALUES ('a', '/keys', 'p', '{}');",
        )
        .unwrap();
        init(&conn).unwrap();
        let moved: (String, String) = conn
            .query_row(
                "SELECT name, scope FROM role_assignments_scoped",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!(moved, ("a".to_owned(), "/keys".to_owned()));
        let old: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'role_assignments'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(old, 0);
        init(&conn).unwrap();
    }
}
