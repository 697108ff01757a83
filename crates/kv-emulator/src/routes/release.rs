//! `POST /keys/{name}/{version}/release`, over [`crate::service::release`].

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_protocol::{KeyEncryptionAlgorithm, KeyReleaseParameters, KeyReleaseResult};
use serde_json::json;

use crate::error::ApiError;
use crate::names::validate_key_name;
use crate::request::{RequestCtx, parse_json};
use crate::routes::view;
use crate::service::release;
use crate::state::AppState;

/// `POST /keys/{name}/{version}/release`: a JWS whose payload carries the key bundle with
/// `key.key_hsm`.
pub async fn release_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    version: Option<String>,
    body: &[u8],
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    let params: KeyReleaseParameters = parse_json(body)?;
    let enc = params
        .enc
        .clone()
        .unwrap_or(KeyEncryptionAlgorithm::CkmRsaAesKeyWrap);
    let released =
        release::release(&state, name, version, params.target.clone(), enc.clone()).await?;
    let row = &released.row;
    let mut bundle = view::bundle(&ctx.base_url, row, state.settings());
    if let Some(key) = bundle.key.as_mut() {
        key.t = Some(released.key_hsm);
    }
    let kid = view::kid(&ctx.base_url, &row.name, &row.version);
    let payload = json!({
        "request": {"api-version": ctx.api_version(), "enc": enc.as_str(), "kid": kid, "nonce": params.nonce},
        "response": {"key": bundle},
        "iat": state.clock().now(),
    });
    let value = release::sign_jws(&payload)?;
    Ok(Json(KeyReleaseResult { value: Some(value) }).into_response())
}
