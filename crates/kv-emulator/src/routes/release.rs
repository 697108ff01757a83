//! `POST /keys/{name}/{version}/release`, over [`crate::service::release`].

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_protocol::{KeyEncryptionAlgorithm, KeyReleaseParameters, KeyReleaseResult};
use serde_json::json;

use crate::error::ApiError;
use crate::routes::key_request::KeyRequest;
use crate::routes::view;
use crate::service::release;

/// `POST /keys/{name}/{version}/release`: a JWS whose payload carries the key bundle with
/// `key.key_hsm`.
pub(crate) async fn release_key(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let params: KeyReleaseParameters = req.named_params()?;
    let enc = params
        .enc
        .clone()
        .unwrap_or(KeyEncryptionAlgorithm::CkmRsaAesKeyWrap);
    let released = release::release(
        &req.state,
        req.name.clone(),
        req.version.clone(),
        params.target.clone(),
        enc.clone(),
    )
    .await?;
    let row = &released.row;
    let mut bundle = view::bundle(&req.ctx.base_url, row, req.state.settings());
    if let Some(key) = bundle.key.as_mut() {
        key.t = Some(released.key_hsm);
    }
    let kid = req.kid(row);
    let payload = json!({
        "request": {"api-version": req.ctx.api_version(), "enc": enc.as_str(), "kid": kid, "nonce": params.nonce},
        "response": {"key": bundle},
        "iat": req.state.clock().now(),
    });
    let value = release::sign_jws(&payload)?;
    Ok(Json(KeyReleaseResult { value: Some(value) }).into_response())
}
