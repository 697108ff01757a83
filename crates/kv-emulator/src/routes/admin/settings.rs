//! Account settings routes (`/settings`), over [`crate::service::settings`].

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_protocol::{SettingsListResult, UpdateSettingRequest};

use crate::error::{ApiError, with_activity_id};
use crate::request::parse_json;
use crate::service::settings;
use crate::state::AppState;

/// `GET /settings`.
pub async fn list(state: AppState) -> Result<Response, ApiError> {
    let settings = settings::list(&state).await?;
    Ok(Json(SettingsListResult { settings }).into_response())
}

/// `GET /settings/{name}`.
pub async fn get(state: AppState, name: String) -> Result<Response, ApiError> {
    Ok(Json(settings::get(&state, &name).await?).into_response())
}

/// `PATCH /settings/{name}` with `{"value": "true"}`.
pub async fn update(state: AppState, name: String, body: &[u8]) -> Result<Response, ApiError> {
    let name = settings::known(&name)?;
    if body.is_empty() {
        // The service's own code for a patch without a body (Go azadmin
        // `TestUpdateSetting_InvalidUpdateSettingRequest` recording).
        return Err(ApiError::BadRequestCode {
            code: "Nocontentprovided",
            message: with_activity_id("No content provided"),
        });
    }
    let params: UpdateSettingRequest = parse_json(body)?;
    Ok(Json(settings::update(&state, name, params.value).await?).into_response())
}
