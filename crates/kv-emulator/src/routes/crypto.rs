//! Cryptographic operation routes (`POST /keys/{name}/{version}/{op}`: encrypt, decrypt,
//! sign, verify, wrapkey, unwrapkey) and key attestation, over [`crate::service::crypto`]
//! and [`crate::service::attestation`] (release is [`super::release`]).

use axum::Json;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::personality;
use crate::request::{RequestCtx, parse_json};
use crate::routes::view;
use crate::service::attestation::emulator_attestation;
use crate::service::crypto::{self, CryptoInput, CryptoOp, CryptoResult};
use crate::service::keys;
use crate::state::AppState;

/// `POST /keys/{name}/{version}/{op}`.
pub async fn operate(
    state: AppState,
    ctx: RequestCtx,
    op: CryptoOp,
    name: String,
    version: Option<String>,
    body: &[u8],
) -> Result<Response, ApiError> {
    if op == CryptoOp::Release {
        // Dispatched to `routes::release` before it gets here.
        return Err(ApiError::internal("release routed to the wrong handler"));
    }
    let input = match op {
        CryptoOp::Sign => CryptoInput::Sign(parse_json(body)?),
        CryptoOp::Verify => CryptoInput::Verify(parse_json(body)?),
        _ => CryptoInput::Ops(parse_json(body)?),
    };
    let outcome = crypto::operate(&state, name, version, op, input).await?;
    let kid = view::kid(&ctx.base_url, &outcome.row.name, &outcome.row.version);
    let (kind, alg) = (state.kind(), outcome.alg.as_str());
    match outcome.result {
        CryptoResult::Value(mut result) => {
            result.kid = Some(kid.clone());
            personality::operation_result(kind, alg, &kid, &result)
        }
        CryptoResult::Verified(result) => personality::operation_result(kind, alg, &kid, &result),
    }
}

/// `GET /keys/{name}/{version}/attestation`: the key bundle with `attributes.attestation`
/// ([`emulator_attestation`]).
pub async fn key_attestation(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    version: Option<String>,
) -> Result<Response, ApiError> {
    let row = keys::get(&state, name, version).await?;
    let mut bundle = view::bundle(&ctx.base_url, &row, state.settings());
    if let Some(attributes) = bundle.attributes.as_mut() {
        attributes.attestation = Some(emulator_attestation(
            &view::versionless_kid(&ctx.base_url, &row.name),
            &state.settings().ca_pem,
        ));
    }
    Ok(Json(bundle).into_response())
}
