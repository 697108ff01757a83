//! Soft delete: delete, deleted get/list, recover, purge.

use crate::error::ApiError;
use crate::names::validate_key_name;
use crate::state::AppState;
use crate::store::{DeletedInfo, DeletedRow, VersionRow};

use super::keys::find;

const SECONDS_PER_DAY: i64 = 86_400;

/// Moves key `name` and all its versions to the deleted state, purgeable after the
/// vault's retention period.
pub(crate) async fn delete(state: &AppState, name: String) -> Result<DeletedRow, ApiError> {
    validate_key_name(&name)?;
    let now = state.clock().now();
    let retention = i64::from(state.settings().retention_days);
    let info = DeletedInfo {
        deleted_date: now,
        scheduled_purge_date: now.saturating_add(retention.saturating_mul(SECONDS_PER_DAY)),
    };
    state
        .store()
        .run(move |tx| {
            let latest = find(tx, &name, None)?;
            tx.mark_deleted(&latest.name, &info)?;
            tx.deleted(&latest.name)?
                .ok_or_else(|| ApiError::internal("deleted key vanished"))
        })
        .await
}

/// Deleted key `name`.
pub(crate) async fn get(state: &AppState, name: String) -> Result<DeletedRow, ApiError> {
    validate_key_name(&name)?;
    state
        .store()
        .run(move |tx| tx.deleted(&name)?.ok_or(ApiError::DeletedKeyNotFound(name)))
        .await
}

/// Up to `limit` deleted keys after the name `after`, by name.
pub(crate) async fn list(
    state: &AppState,
    after: Option<String>,
    limit: usize,
) -> Result<Vec<DeletedRow>, ApiError> {
    state
        .store()
        .run(move |tx| tx.list_deleted(after.as_deref(), limit))
        .await
}

/// Restores every version of deleted key `name`; answers the latest.
pub(crate) async fn recover(state: &AppState, name: String) -> Result<VersionRow, ApiError> {
    validate_key_name(&name)?;
    state
        .store()
        .run(move |tx| {
            let Some((canonical, Some(_))) = tx.name_state(&name)? else {
                return Err(ApiError::NothingToRecover(name));
            };
            tx.recover(&canonical)?;
            find(tx, &canonical, None)
        })
        .await
}

/// Removes deleted key `name` for good (refused under purge protection).
pub(crate) async fn purge(state: &AppState, name: String) -> Result<(), ApiError> {
    validate_key_name(&name)?;
    if !state.settings().recovery_level().allows_purge() {
        return Err(ApiError::Forbidden(
            "Purge is not allowed: the vault has purge protection.".into(),
        ));
    }
    state
        .store()
        .run(move |tx| {
            if tx.purge(&name)? {
                Ok(())
            } else {
                Err(ApiError::DeletedKeyNotFound(name))
            }
        })
        .await
}
