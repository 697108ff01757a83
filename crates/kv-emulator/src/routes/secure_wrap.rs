//! Secure key wrap and unwrap routes (`POST /keys/{name}/{version}/securewrapkey` and
//! `.../secureunwrapkey`, api-version 2026-01-01-preview and later), over
//! [`crate::service::secure_wrap`].

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_jwk::SecretBytes;
use kv_protocol::{
    SecureKeyOperationResult, SecureKeyUnwrapOperationParameters, SecureKeyWrapOperationParameters,
};

use crate::error::ApiError;
use crate::request::{RequestCtx, parse_json};
use crate::routes::view;
use crate::service::secure_wrap;
use crate::state::AppState;

/// `POST /keys/{name}/{version}/securewrapkey`.
pub async fn secure_wrap_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    version: Option<String>,
    body: &[u8],
) -> Result<Response, ApiError> {
    let params: SecureKeyWrapOperationParameters = parse_json(body)?;
    let alg = params.alg.clone();
    let (row, wrapped) = secure_wrap::wrap(&state, name, version, params.alg).await?;
    Ok(Json(SecureKeyOperationResult {
        kid: view::kid(&ctx.base_url, &row.name, &row.version),
        alg,
        value: SecretBytes::new(wrapped),
    })
    .into_response())
}

/// `POST /keys/{name}/{version}/secureunwrapkey`.
pub async fn secure_unwrap_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    version: Option<String>,
    body: &[u8],
) -> Result<Response, ApiError> {
    let params: SecureKeyUnwrapOperationParameters = parse_json(body)?;
    let alg = params.alg.clone();
    let (row, encrypted) = secure_wrap::unwrap(
        &state,
        name,
        version,
        params.alg,
        params.value,
        params.target,
    )
    .await?;
    Ok(Json(SecureKeyOperationResult {
        kid: view::kid(&ctx.base_url, &row.name, &row.version),
        alg,
        value: SecretBytes::new(encrypted),
    })
    .into_response())
}
