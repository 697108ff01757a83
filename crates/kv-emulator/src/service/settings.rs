//! Account settings, persisted in the instance's database.
//!
//! The spec names one setting, `AllowKeyManagementOperationsThroughARM` (boolean, default
//! `false`); the emulator stores its value but, having no ARM side, changes nothing else.

use kv_protocol::{Setting, SettingType};

use crate::error::{ApiError, with_activity_id};
use crate::state::AppState;

/// The settings the emulator knows: name and default value (all boolean).
pub(crate) const KNOWN_SETTINGS: [(&str, &str); 1] =
    [("AllowKeyManagementOperationsThroughARM", "false")];

/// The spelling of known setting `name` (any case); 400 `InvalidSetting` otherwise, worded
/// as the service does for a get as for an update (Go azadmin
/// `TestGetSetting_InvalidSettingName` and `TestUpdateSetting_InvalidSettingName`).
pub(crate) fn known(name: &str) -> Result<&'static str, ApiError> {
    KNOWN_SETTINGS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(n, _)| *n)
        .ok_or_else(|| ApiError::BadRequestCode {
            code: "InvalidSetting",
            message: with_activity_id(
                "Invalid setting name. Please check the spelling of the setting name to update.",
            ),
        })
}

/// Every known setting with its current value.
pub(crate) async fn list(state: &AppState) -> Result<Vec<Setting>, ApiError> {
    let stored = state.store().run(|tx| tx.settings()).await?;
    Ok(KNOWN_SETTINGS
        .iter()
        .map(|(name, default)| Setting {
            name: (*name).to_owned(),
            value: stored
                .iter()
                .find(|(n, _)| n == name)
                .map_or_else(|| (*default).to_owned(), |(_, v)| v.clone()),
            setting_type: Some(SettingType::Boolean),
        })
        .collect())
}

/// Setting `name` (any case) with its current value.
pub(crate) async fn get(state: &AppState, name: &str) -> Result<Setting, ApiError> {
    let name = known(name)?;
    list(state)
        .await?
        .into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ApiError::internal("known setting missing"))
}

/// Stores `value` (`true` or `false`) as setting `name`.
pub(crate) async fn update(
    state: &AppState,
    name: &str,
    value: String,
) -> Result<Setting, ApiError> {
    let name = known(name)?;
    let probe = Setting {
        name: name.to_owned(),
        value,
        setting_type: Some(SettingType::Boolean),
    };
    let value = match probe.as_bool() {
        Some(b) => b.to_string(),
        None => {
            return Err(ApiError::bad(format!(
                "The setting {name} takes true or false."
            )));
        }
    };
    let stored = value.clone();
    state
        .store()
        .run(move |tx| tx.put_setting(name, &stored))
        .await?;
    Ok(Setting {
        name: name.to_owned(),
        value,
        setting_type: Some(SettingType::Boolean),
    })
}
