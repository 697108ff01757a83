//! [`Store`]: the SQLite database behind the emulator.
//!
//! One connection, guarded by a mutex and used only from blocking threads
//! ([`tokio::task::spawn_blocking`]), never from the async runtime. Every call of
//! [`Store::run`] is one transaction: it commits (and is fsynced, see
//! the `schema` module) before the handler answers, or rolls back entirely, so a
//! request is never half-written.

use std::path::Path;
use std::sync::{Arc, Mutex};

use kv_jwk::JsonWebKey;
use kv_protocol::rotation::KeyRotationPolicy;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use zeroize::Zeroizing;

use super::record::{DeletedInfo, DeletedRow, KeyMeta, VersionRow};
use super::schema;
use super::seal::{Purpose, Sealer};
use crate::error::{ApiError, StartError};

/// The database file name inside the data directory.
pub const DB_FILE: &str = "keyvault.db";

/// Handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    conn: Mutex<Connection>,
    sealer: Sealer,
    data_dir: std::path::PathBuf,
}

pub(super) fn db_err(e: rusqlite::Error) -> ApiError {
    ApiError::internal(format!("database: {e}"))
}

pub(super) fn json_err(e: serde_json::Error) -> ApiError {
    ApiError::internal(format!("stored JSON: {e}"))
}

impl Store {
    /// Opens (creating if needed) `DIR/keyvault.db` and `DIR/master.key`.
    pub fn open(data_dir: &Path) -> Result<Self, StartError> {
        Self::open_file(data_dir, &data_dir.join(DB_FILE))
    }

    /// Opens (creating if needed) the database `path`, sealed under `DIR/master.key`
    /// (one per named vault, see [`crate::vaults`]).
    pub fn open_file(data_dir: &Path, path: &Path) -> Result<Self, StartError> {
        std::fs::create_dir_all(data_dir).map_err(|e| StartError::io(data_dir, e))?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| StartError::io(parent, e))?;
        }
        let sealer = Sealer::load_or_create(data_dir)?;
        let conn = Connection::open(path).map_err(|e| StartError::Storage(e.to_string()))?;
        schema::init(&conn).map_err(|e| StartError::Storage(e.to_string()))?;
        let found = schema::version(&conn).map_err(|e| StartError::Storage(e.to_string()))?;
        if found != schema::SCHEMA_VERSION {
            return Err(StartError::Storage(format!(
                "database schema version {found} is not supported (expected {})",
                schema::SCHEMA_VERSION
            )));
        }
        Ok(Self {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                sealer,
                data_dir: data_dir.to_owned(),
            }),
        })
    }

    /// The data directory this store's master key lives in.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// The sealer (for backup blobs).
    pub fn sealer(&self) -> &Sealer {
        &self.inner.sealer
    }

    /// Runs `f` in one transaction on a blocking thread; commits when it returns `Ok`.
    pub async fn run<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&Tx<'_>) -> Result<R, ApiError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        let instance = crate::vaults::current();
        tokio::task::spawn_blocking(move || {
            crate::vaults::sync_scope(instance, || {
                // A panic in an earlier transaction rolled it back when its `Transaction`
                // dropped, so the connection is consistent and the poison can be ignored.
                let mut conn = inner.conn.lock().unwrap_or_else(|p| p.into_inner());
                let tx = conn.transaction().map_err(db_err)?;
                let result = f(&Tx {
                    tx: &tx,
                    sealer: &inner.sealer,
                })?;
                tx.commit().map_err(db_err)?;
                Ok(result)
            })
        })
        .await
        .map_err(|e| ApiError::internal(format!("storage task: {e}")))?
    }
}

/// One open transaction with typed operations.
pub struct Tx<'a> {
    pub(super) tx: &'a Transaction<'a>,
    sealer: &'a Sealer,
}

const VERSION_COLUMNS: &str = "k.name, v.version, v.seq, v.meta";

fn version_row(row: &Row<'_>) -> rusqlite::Result<(String, String, i64, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
}

fn into_version(raw: (String, String, i64, String)) -> Result<VersionRow, ApiError> {
    let (name, version, seq, meta) = raw;
    Ok(VersionRow {
        name,
        version,
        seq,
        meta: serde_json::from_str(&meta).map_err(json_err)?,
    })
}

fn material_context(name: &str, version: &str) -> Vec<u8> {
    format!("key/{}/{version}", name.to_ascii_lowercase()).into_bytes()
}

impl Tx<'_> {
    /// The canonical name and deletion state of `name`, or `None` if no such key exists.
    pub fn name_state(
        &self,
        name: &str,
    ) -> Result<Option<(String, Option<DeletedInfo>)>, ApiError> {
        self.tx
            .query_row(
                "SELECT name, deleted_date, scheduled_purge_date FROM keys WHERE name = ?1",
                [name],
                |row| {
                    let deleted: Option<i64> = row.get(1)?;
                    let purge: Option<i64> = row.get(2)?;
                    Ok((
                        row.get::<_, String>(0)?,
                        deleted.map(|deleted_date| DeletedInfo {
                            deleted_date,
                            scheduled_purge_date: purge.unwrap_or(deleted_date),
                        }),
                    ))
                },
            )
            .optional()
            .map_err(db_err)
    }

    /// Adds a version to key `name`, creating the key if needed. A name held by a
    /// deleted key is a conflict.
    pub fn insert_version(
        &self,
        name: &str,
        version: &str,
        meta: &KeyMeta,
        private: &JsonWebKey,
    ) -> Result<(), ApiError> {
        match self.name_state(name)? {
            Some((_, Some(_))) => {
                return Err(ApiError::Conflict(format!(
                    "Key {name} is currently in a deleted but recoverable state, and its name \
                     cannot be reused; in this state, the key can only be recovered or purged."
                )));
            }
            Some((_, None)) => {}
            None => {
                self.tx
                    .execute("INSERT INTO keys (name) VALUES (?1)", [name])
                    .map_err(db_err)?;
            }
        }
        let meta_json = serde_json::to_string(meta).map_err(json_err)?;
        let private_json = Zeroizing::new(serde_json::to_vec(private).map_err(json_err)?);
        let sealed = self
            .sealer
            .seal(
                Purpose::AtRest,
                &material_context(name, version),
                &private_json,
            )
            .map_err(ApiError::internal)?;
        self.tx
            .execute(
                "INSERT INTO key_versions (name, version, meta, material) VALUES (?1, ?2, ?3, ?4)",
                params![name, version, meta_json, sealed],
            )
            .map_err(db_err)?;
        Ok(())
    }

    /// The latest version of active key `name`.
    pub fn latest(&self, name: &str) -> Result<Option<VersionRow>, ApiError> {
        self.tx
            .query_row(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM keys k JOIN key_versions v ON v.name = k.name \
                     WHERE k.name = ?1 AND k.deleted_date IS NULL ORDER BY v.seq DESC LIMIT 1"
                ),
                [name],
                version_row,
            )
            .optional()
            .map_err(db_err)?
            .map(into_version)
            .transpose()
    }

    /// Version `version` of active key `name`.
    pub fn version(&self, name: &str, version: &str) -> Result<Option<VersionRow>, ApiError> {
        self.tx
            .query_row(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM keys k JOIN key_versions v ON v.name = k.name \
                     WHERE k.name = ?1 AND v.version = ?2 AND k.deleted_date IS NULL"
                ),
                [name, version],
                version_row,
            )
            .optional()
            .map_err(db_err)?
            .map(into_version)
            .transpose()
    }

    /// The private key of a version (any state), opened from its sealed form.
    pub fn private(&self, name: &str, version: &str) -> Result<JsonWebKey, ApiError> {
        let sealed: Vec<u8> = self
            .tx
            .query_row(
                "SELECT material FROM key_versions WHERE name = ?1 AND version = ?2",
                [name, version],
                |row| row.get(0),
            )
            .map_err(db_err)?;
        let plain = self
            .sealer
            .open(Purpose::AtRest, &material_context(name, version), &sealed)
            .map_err(|_| ApiError::internal("stored key material failed authentication"))?;
        serde_json::from_slice(&plain).map_err(json_err)
    }

    /// Replaces the non-secret state of a version.
    pub fn update_meta(&self, name: &str, version: &str, meta: &KeyMeta) -> Result<(), ApiError> {
        let json = serde_json::to_string(meta).map_err(json_err)?;
        self.tx
            .execute(
                "UPDATE key_versions SET meta = ?3 WHERE name = ?1 AND version = ?2",
                params![name, version, json],
            )
            .map_err(db_err)?;
        Ok(())
    }

    /// Up to `limit` active keys (their latest versions), ordered by name, after `after`.
    pub fn list_keys(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<VersionRow>, ApiError> {
        let mut stmt = self
            .tx
            .prepare_cached(&format!(
                "SELECT {VERSION_COLUMNS} FROM keys k JOIN key_versions v \
                 ON v.seq = (SELECT MAX(seq) FROM key_versions WHERE name = k.name) \
                 WHERE k.deleted_date IS NULL AND (?1 IS NULL OR k.name > ?1) \
                 ORDER BY k.name LIMIT ?2"
            ))
            .map_err(db_err)?;
        let rows = stmt
            .query_map(params![after, limit_param(limit)], version_row)
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        rows.into_iter().map(into_version).collect()
    }

    /// Up to `limit` versions of active key `name`, oldest first, after sequence `after`.
    pub fn list_versions(
        &self,
        name: &str,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Vec<VersionRow>, ApiError> {
        let mut stmt = self
            .tx
            .prepare_cached(&format!(
                "SELECT {VERSION_COLUMNS} FROM keys k JOIN key_versions v ON v.name = k.name \
                 WHERE k.name = ?1 AND k.deleted_date IS NULL AND (?2 IS NULL OR v.seq > ?2) \
                 ORDER BY v.seq LIMIT ?3"
            ))
            .map_err(db_err)?;
        let rows = stmt
            .query_map(params![name, after, limit_param(limit)], version_row)
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        rows.into_iter().map(into_version).collect()
    }

    /// Every version of key `name` (active or deleted), oldest first.
    pub fn all_versions(&self, name: &str) -> Result<Vec<VersionRow>, ApiError> {
        let mut stmt = self
            .tx
            .prepare_cached(&format!(
                "SELECT {VERSION_COLUMNS} FROM keys k JOIN key_versions v ON v.name = k.name \
                 WHERE k.name = ?1 ORDER BY v.seq"
            ))
            .map_err(db_err)?;
        let rows = stmt
            .query_map([name], version_row)
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        rows.into_iter().map(into_version).collect()
    }

    /// Marks key `name` deleted. Returns `false` if there is no active key of that name.
    pub fn mark_deleted(&self, name: &str, info: &DeletedInfo) -> Result<bool, ApiError> {
        let n = self
            .tx
            .execute(
                "UPDATE keys SET deleted_date = ?2, scheduled_purge_date = ?3 \
                 WHERE name = ?1 AND deleted_date IS NULL",
                params![name, info.deleted_date, info.scheduled_purge_date],
            )
            .map_err(db_err)?;
        Ok(n == 1)
    }

    /// Deleted key `name`, with its latest version.
    pub fn deleted(&self, name: &str) -> Result<Option<DeletedRow>, ApiError> {
        let Some((canonical, Some(info))) = self.name_state(name)? else {
            return Ok(None);
        };
        let latest = self
            .tx
            .query_row(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM keys k JOIN key_versions v ON v.name = k.name \
                     WHERE k.name = ?1 ORDER BY v.seq DESC LIMIT 1"
                ),
                [canonical],
                version_row,
            )
            .optional()
            .map_err(db_err)?;
        match latest {
            Some(raw) => Ok(Some(DeletedRow {
                latest: into_version(raw)?,
                deleted: info,
            })),
            None => Ok(None),
        }
    }

    /// Up to `limit` deleted keys ordered by name, after `after`.
    pub fn list_deleted(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<DeletedRow>, ApiError> {
        let mut stmt = self
            .tx
            .prepare_cached(&format!(
                "SELECT {VERSION_COLUMNS}, k.deleted_date, k.scheduled_purge_date \
                 FROM keys k JOIN key_versions v \
                 ON v.seq = (SELECT MAX(seq) FROM key_versions WHERE name = k.name) \
                 WHERE k.deleted_date IS NOT NULL AND (?1 IS NULL OR k.name > ?1) \
                 ORDER BY k.name LIMIT ?2"
            ))
            .map_err(db_err)?;
        let rows = stmt
            .query_map(params![after, limit_param(limit)], |row| {
                Ok((
                    version_row(row)?,
                    row.get::<_, i64>(4)?,
                    row.get::<_, i64>(5)?,
                ))
            })
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        rows.into_iter()
            .map(|(raw, deleted_date, scheduled_purge_date)| {
                Ok(DeletedRow {
                    latest: into_version(raw)?,
                    deleted: DeletedInfo {
                        deleted_date,
                        scheduled_purge_date,
                    },
                })
            })
            .collect()
    }

    /// Brings deleted key `name` back with every version. `false` if it is not deleted.
    pub fn recover(&self, name: &str) -> Result<bool, ApiError> {
        let n = self
            .tx
            .execute(
                "UPDATE keys SET deleted_date = NULL, scheduled_purge_date = NULL \
                 WHERE name = ?1 AND deleted_date IS NOT NULL",
                [name],
            )
            .map_err(db_err)?;
        Ok(n == 1)
    }

    /// Removes deleted key `name` and everything it had. `false` if it is not deleted.
    pub fn purge(&self, name: &str) -> Result<bool, ApiError> {
        let n = self
            .tx
            .execute(
                "DELETE FROM keys WHERE name = ?1 AND deleted_date IS NOT NULL",
                [name],
            )
            .map_err(db_err)?;
        Ok(n == 1)
    }

    /// Purges every deleted key whose purge date is at or before `now`; returns their names.
    pub fn purge_due(&self, now: i64) -> Result<Vec<String>, ApiError> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "DELETE FROM keys WHERE deleted_date IS NOT NULL AND scheduled_purge_date <= ?1 \
                 RETURNING name",
            )
            .map_err(db_err)?;
        let names = stmt
            .query_map([now], |row| row.get::<_, String>(0))
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        Ok(names)
    }

    /// The stored rotation policy of key `name` (any state).
    pub fn rotation_policy(&self, name: &str) -> Result<Option<KeyRotationPolicy>, ApiError> {
        let json: Option<Option<String>> = self
            .tx
            .query_row(
                "SELECT rotation_policy FROM keys WHERE name = ?1",
                [name],
                |row| row.get(0),
            )
            .optional()
            .map_err(db_err)?;
        json.flatten()
            .map(|j| serde_json::from_str(&j).map_err(json_err))
            .transpose()
    }

    /// Stores the rotation policy of existing key `name`.
    pub fn set_rotation_policy(
        &self,
        name: &str,
        policy: &KeyRotationPolicy,
    ) -> Result<(), ApiError> {
        let json = serde_json::to_string(policy).map_err(json_err)?;
        self.tx
            .execute(
                "UPDATE keys SET rotation_policy = ?2 WHERE name = ?1",
                params![name, json],
            )
            .map_err(db_err)?;
        Ok(())
    }

    /// Active keys that have a stored rotation policy.
    pub fn keys_with_policy(&self) -> Result<Vec<(String, KeyRotationPolicy)>, ApiError> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT name, rotation_policy FROM keys \
                 WHERE rotation_policy IS NOT NULL AND deleted_date IS NULL ORDER BY name",
            )
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        rows.into_iter()
            .map(|(name, json)| Ok((name, serde_json::from_str(&json).map_err(json_err)?)))
            .collect()
    }
}

fn limit_param(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}
