//! Account settings (`/settings`), persisted in the database.
//!
//! The spec names one setting, `AllowKeyManagementOperationsThroughARM` (boolean, default
//! `false`); the emulator stores its value but, having no ARM side, changes nothing else.

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_protocol::{Setting, SettingType, SettingsListResult, UpdateSettingRequest};

use crate::error::ApiError;
use crate::request::parse_json;
use crate::state::AppState;

/// The settings the emulator knows: name and default value (all boolean).
pub const KNOWN_SETTINGS: [(&str, &str); 1] = [("AllowKeyManagementOperationsThroughARM", "false")];

fn known(name: &str) -> Result<&'static str, ApiError> {
    KNOWN_SETTINGS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(n, _)| *n)
        .ok_or_else(|| ApiError::NotFoundCode {
            code: "SettingNotFound",
            message: format!(
                "The setting {} was not found.",
                name.chars()
                    .filter(|c| !c.is_control())
                    .take(100)
                    .collect::<String>()
            ),
        })
}

async fn current(state: &AppState) -> Result<Vec<Setting>, ApiError> {
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

/// `GET /settings`.
pub async fn list(state: AppState) -> Result<Response, ApiError> {
    let settings = current(&state).await?;
    Ok(Json(SettingsListResult { settings }).into_response())
}

/// `GET /settings/{name}`.
pub async fn get(state: AppState, name: String) -> Result<Response, ApiError> {
    let name = known(&name)?;
    let setting = current(&state)
        .await?
        .into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ApiError::internal("known setting missing"))?;
    Ok(Json(setting).into_response())
}

/// `PATCH /settings/{name}` with `{"value": "true"}`.
pub async fn update(state: AppState, name: String, body: &[u8]) -> Result<Response, ApiError> {
    let name = known(&name)?;
    let params: UpdateSettingRequest = parse_json(body)?;
    let probe = Setting {
        name: name.to_owned(),
        value: params.value,
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
    Ok(Json(Setting {
        name: name.to_owned(),
        value,
        setting_type: Some(SettingType::Boolean),
    })
    .into_response())
}
