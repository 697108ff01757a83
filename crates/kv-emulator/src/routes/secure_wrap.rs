//! Secure key wrap and unwrap routes (`POST /keys/{name}/{version}/securewrapkey` and
//! `.../secureunwrapkey`, api-version 2026-01-01-preview and later), over
//! [`crate::service::secure_wrap`].

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_jwk::{KeyWrapAlgorithm, SecretBytes};
use kv_protocol::{
    SecureKeyOperationResult, SecureKeyUnwrapOperationParameters, SecureKeyWrapOperationParameters,
};

use crate::error::ApiError;
use crate::routes::key_request::KeyRequest;
use crate::service::secure_wrap;
use crate::store::VersionRow;

/// The answer of both: the key's `kid`, the `alg` asked for and the `value`.
fn answer(
    req: &KeyRequest<'_>,
    row: &VersionRow,
    alg: KeyWrapAlgorithm,
    value: Vec<u8>,
) -> Response {
    Json(SecureKeyOperationResult {
        kid: req.kid(row),
        alg,
        value: SecretBytes::new(value),
    })
    .into_response()
}

/// `POST /keys/{name}/{version}/securewrapkey`.
pub(crate) async fn secure_wrap_key(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let params: SecureKeyWrapOperationParameters = req.params()?;
    let alg = params.alg.clone();
    let (row, wrapped) = secure_wrap::wrap(
        &req.state,
        req.name.clone(),
        req.version.clone(),
        params.alg,
    )
    .await?;
    Ok(answer(&req, &row, alg, wrapped))
}

/// `POST /keys/{name}/{version}/secureunwrapkey`.
pub(crate) async fn secure_unwrap_key(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let params: SecureKeyUnwrapOperationParameters = req.params()?;
    let alg = params.alg.clone();
    let (row, encrypted) = secure_wrap::unwrap(
        &req.state,
        req.name.clone(),
        req.version.clone(),
        params.alg,
        params.value,
        params.target,
    )
    .await?;
    Ok(answer(&req, &row, alg, encrypted))
}
