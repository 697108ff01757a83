//! Administration state in the database: custom role definitions, role assignments,
//! account settings and the External Key Manager connection. Built-in role definitions are not stored (see [`crate::rbac`]).

use kv_protocol::{
    EkmConnection, EkmPrivateEndpoint, EkmPrivateEndpointOperation, RoleAssignment, RoleDefinition,
};
use rusqlite::{OptionalExtension, Params, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::sqlite::{Tx, db_err, json_err};
use crate::error::ApiError;

impl Tx<'_> {
    /// Custom role definition `name`.
    pub fn role_definition(&self, name: &str) -> Result<Option<RoleDefinition>, ApiError> {
        self.json_row("SELECT body FROM role_definitions WHERE name = ?1", [name])
    }

    /// Every custom role definition, ordered by name.
    pub fn role_definitions(&self) -> Result<Vec<RoleDefinition>, ApiError> {
        self.json_rows("SELECT body FROM role_definitions ORDER BY name", [])
    }

    /// Creates or replaces custom role definition `name`.
    pub fn put_role_definition(&self, name: &str, def: &RoleDefinition) -> Result<(), ApiError> {
        self.put_json(
            "INSERT INTO role_definitions (name, body) VALUES (?1, ?2) \
             ON CONFLICT(name) DO UPDATE SET body = excluded.body",
            name,
            def,
        )
    }

    /// Deletes custom role definition `name`; `false` if there was none.
    pub fn delete_role_definition(&self, name: &str) -> Result<bool, ApiError> {
        self.delete_one("DELETE FROM role_definitions WHERE name = ?1", [name])
    }

    /// Role assignment `name` at normalized `scope`.
    pub fn role_assignment(
        &self,
        name: &str,
        scope: &str,
    ) -> Result<Option<RoleAssignment>, ApiError> {
        self.json_row(
            "SELECT body FROM role_assignments_scoped WHERE name = ?1 AND scope = ?2",
            [name, scope],
        )
    }

    /// The scopes that hold an assignment named `name`.
    pub fn role_assignment_scopes(&self, name: &str) -> Result<Vec<String>, ApiError> {
        let mut stmt = self
            .tx
            .prepare("SELECT scope FROM role_assignments_scoped WHERE name = ?1 ORDER BY scope")
            .map_err(db_err)?;
        let rows = stmt.query_map([name], |row| row.get(0)).map_err(db_err)?;
        rows.collect::<Result<_, _>>().map_err(db_err)
    }

    /// Every role assignment, optionally only those of `principal_id`, ordered by name.
    pub fn role_assignments(
        &self,
        principal_id: Option<&str>,
    ) -> Result<Vec<RoleAssignment>, ApiError> {
        self.json_rows(
            "SELECT body FROM role_assignments_scoped \
             WHERE (?1 IS NULL OR principal_id = ?1) ORDER BY name, scope",
            [principal_id],
        )
    }

    /// Stores a new role assignment; `false` if the name is taken at that scope.
    pub fn insert_role_assignment(
        &self,
        name: &str,
        scope: &str,
        principal_id: &str,
        assignment: &RoleAssignment,
    ) -> Result<bool, ApiError> {
        let body = serde_json::to_string(assignment).map_err(json_err)?;
        let n = self
            .tx
            .execute(
                "INSERT OR IGNORE INTO role_assignments_scoped (name, scope, principal_id, body) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![name, scope, principal_id, body],
            )
            .map_err(db_err)?;
        Ok(n == 1)
    }

    /// Deletes role assignment `name` at normalized `scope`; `false` if there was none.
    pub fn delete_role_assignment(&self, name: &str, scope: &str) -> Result<bool, ApiError> {
        self.delete_one(
            "DELETE FROM role_assignments_scoped WHERE name = ?1 AND scope = ?2",
            [name, scope],
        )
    }

    /// Stored setting values (name, value), ordered by name.
    pub fn settings(&self) -> Result<Vec<(String, String)>, ApiError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT name, value FROM settings ORDER BY name")
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        Ok(rows)
    }

    /// Stores a setting value.
    pub fn put_setting(&self, name: &str, value: &str) -> Result<(), ApiError> {
        self.tx
            .execute(
                "INSERT INTO settings (name, value) VALUES (?1, ?2) \
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                params![name, value],
            )
            .map_err(db_err)?;
        Ok(())
    }

    /// The External Key Manager connection, if one is recorded.
    pub fn ekm_connection(&self) -> Result<Option<EkmConnection>, ApiError> {
        self.json_row("SELECT body FROM ekm_connection WHERE id = 1", [])
    }

    /// Records (or replaces) the External Key Manager connection.
    pub fn put_ekm_connection(&self, connection: &EkmConnection) -> Result<(), ApiError> {
        let body = serde_json::to_string(connection).map_err(json_err)?;
        self.tx
            .execute(
                "INSERT INTO ekm_connection (id, body) VALUES (1, ?1) \
                 ON CONFLICT(id) DO UPDATE SET body = excluded.body",
                [body],
            )
            .map_err(db_err)?;
        Ok(())
    }

    /// Removes the External Key Manager connection; `false` if there was none.
    pub fn delete_ekm_connection(&self) -> Result<bool, ApiError> {
        self.delete_one("DELETE FROM ekm_connection WHERE id = 1", [])
    }

    /// The EKM proxy private endpoints, ordered by name.
    pub fn ekm_private_endpoints(&self) -> Result<Vec<EkmPrivateEndpoint>, ApiError> {
        self.json_rows("SELECT body FROM ekm_private_endpoints ORDER BY name", [])
    }

    /// EKM proxy private endpoint `name` (case-insensitive).
    pub fn ekm_private_endpoint(&self, name: &str) -> Result<Option<EkmPrivateEndpoint>, ApiError> {
        self.json_row(
            "SELECT body FROM ekm_private_endpoints WHERE name = ?1",
            [name],
        )
    }

    /// Records private endpoint `name`.
    pub fn put_ekm_private_endpoint(
        &self,
        name: &str,
        endpoint: &EkmPrivateEndpoint,
    ) -> Result<(), ApiError> {
        self.put_json(
            "INSERT INTO ekm_private_endpoints (name, body) VALUES (?1, ?2) \
             ON CONFLICT(name) DO UPDATE SET body = excluded.body",
            name,
            endpoint,
        )
    }

    /// Removes private endpoint `name`; `false` if there was none.
    pub fn delete_ekm_private_endpoint(&self, name: &str) -> Result<bool, ApiError> {
        self.delete_one("DELETE FROM ekm_private_endpoints WHERE name = ?1", [name])
    }

    /// Private endpoint operation `id`.
    pub fn ekm_private_endpoint_operation(
        &self,
        id: &str,
    ) -> Result<Option<EkmPrivateEndpointOperation>, ApiError> {
        self.json_row(
            "SELECT body FROM ekm_private_endpoint_operations WHERE id = ?1",
            [id],
        )
    }

    /// Records private endpoint operation `id`.
    pub fn put_ekm_private_endpoint_operation(
        &self,
        id: &str,
        operation: &EkmPrivateEndpointOperation,
    ) -> Result<(), ApiError> {
        self.put_json(
            "INSERT INTO ekm_private_endpoint_operations (id, body) VALUES (?1, ?2) \
             ON CONFLICT(id) DO UPDATE SET body = excluded.body",
            id,
            operation,
        )
    }

    /// The JSON `body` column of the one row `sql` selects with `params`, parsed.
    fn json_row<T: DeserializeOwned>(
        &self,
        sql: &str,
        params: impl Params,
    ) -> Result<Option<T>, ApiError> {
        let body: Option<String> = self
            .tx
            .query_row(sql, params, |row| row.get(0))
            .optional()
            .map_err(db_err)?;
        body.map(|b| serde_json::from_str(&b).map_err(json_err))
            .transpose()
    }

    /// The JSON `body` column of every row `sql` selects with `params`, parsed, in order.
    fn json_rows<T: DeserializeOwned>(
        &self,
        sql: &str,
        params: impl Params,
    ) -> Result<Vec<T>, ApiError> {
        let mut stmt = self.tx.prepare_cached(sql).map_err(db_err)?;
        let bodies = stmt
            .query_map(params, |row| row.get::<_, String>(0))
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        bodies
            .iter()
            .map(|b| serde_json::from_str(b).map_err(json_err))
            .collect()
    }

    /// Stores `value` as JSON under `key` with `sql`, an upsert taking `(?1 key, ?2 body)`.
    fn put_json(&self, sql: &str, key: &str, value: &impl Serialize) -> Result<(), ApiError> {
        let body = serde_json::to_string(value).map_err(json_err)?;
        self.tx.execute(sql, params![key, body]).map_err(db_err)?;
        Ok(())
    }

    /// Runs the one-row `DELETE` `sql` with `params`; `false` if there was no such row.
    fn delete_one(&self, sql: &str, params: impl Params) -> Result<bool, ApiError> {
        let n = self.tx.execute(sql, params).map_err(db_err)?;
        Ok(n == 1)
    }

    /// Removes key `name` (active or deleted) with every version; `false` if absent.
    /// A restore uses it to replace a key with its backed-up state.
    pub fn remove_key(&self, name: &str) -> Result<bool, ApiError> {
        self.delete_one("DELETE FROM keys WHERE name = ?1", [name])
    }

    /// Names of every active key, ordered by name.
    pub fn active_key_names(&self) -> Result<Vec<String>, ApiError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT name FROM keys WHERE deleted_date IS NULL ORDER BY name")
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        Ok(rows)
    }
}
