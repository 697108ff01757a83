//! Cryptographic operation routes (`POST /keys/{name}/{version}/{op}`: encrypt, decrypt,
//! sign, verify, wrapkey, unwrapkey) and key attestation, over [`crate::service::crypto`]
//! and [`crate::service::attestation`] (release is [`super::release`]).

use axum::Json;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::personality;
use crate::routes::key_request::KeyRequest;
use crate::routes::view;
use crate::service::attestation::emulator_attestation;
use crate::service::crypto::{self, CryptoInput, CryptoOp, CryptoResult};
use crate::service::keys;

/// `POST /keys/{name}/{version}/{op}`.
pub(crate) async fn operate(op: CryptoOp, req: KeyRequest<'_>) -> Result<Response, ApiError> {
    if op == CryptoOp::Release {
        // Dispatched to `routes::release` before it gets here.
        return Err(ApiError::internal("release routed to the wrong handler"));
    }
    let input = match op {
        CryptoOp::Sign => CryptoInput::Sign(req.params()?),
        CryptoOp::Verify => CryptoInput::Verify(req.params()?),
        _ => CryptoInput::Ops(req.params()?),
    };
    let outcome =
        crypto::operate(&req.state, req.name.clone(), req.version.clone(), op, input).await?;
    let kid = req.kid(&outcome.row);
    let (kind, alg) = (req.state.kind(), outcome.alg.as_str());
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
pub(crate) async fn key_attestation(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let row = keys::get(&req.state, req.name.clone(), req.version.clone()).await?;
    let mut bundle = view::bundle(&req.ctx.base_url, &row, req.state.settings());
    if let Some(attributes) = bundle.attributes.as_mut() {
        attributes.attestation = Some(emulator_attestation(
            &view::versionless_kid(&req.ctx.base_url, &row.name),
            &req.state.settings().ca_pem,
        ));
    }
    Ok(Json(bundle).into_response())
}
