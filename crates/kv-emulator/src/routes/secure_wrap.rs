//! Secure key wrap and unwrap (`POST /keys/{name}/{version}/securewrapkey` and
//! `.../secureunwrapkey`, api-version 2026-01-01-preview and later).
//!
//! Secure wrap generates a fresh AES-256 key (as the service does inside its TEE) and
//! answers it wrapped with the named key. Secure unwrap answers the plaintext key only for
//! an attestation `target` that the emulator trusts and that satisfies the key's release
//! policy: the same checks as key release ([`crate::release`]), with the same trusted
//! attestation signers.
//!
//! The wrapping key must grant `secureWrapKey`/`secureUnwrapKey` (else 403, as recorded for
//! the live Managed HSM), carry a release policy and not be exportable; [`check_new_key`]
//! enforces the last two at create.

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_crypto_local::LocalKey;
use kv_jwk::{KeyOperation, SecretBytes};
use kv_protocol::{
    SecureKeyOperationResult, SecureKeyUnwrapOperationParameters, SecureKeyWrapOperationParameters,
};

use crate::error::ApiError;
use crate::release::{parse_policy, token};
use crate::request::{RequestCtx, parse_json};
use crate::routes::crypto::{crypto_error, load_for};
use crate::routes::view;
use crate::state::AppState;

/// Size of the key secure wrap generates (the spec: "a new 256 bit AES key").
const GENERATED_KEY_BYTES: usize = 32;

/// Whether `ops` make a key a secure-wrap key.
pub fn is_secure_wrap_key(ops: &[KeyOperation]) -> bool {
    ops.iter().any(|op| {
        matches!(
            op,
            KeyOperation::SecureWrapKey | KeyOperation::SecureUnwrapKey
        )
    })
}

/// Checks a new version's shape for secure wrap: with `secureWrapKey`/`secureUnwrapKey` it
/// needs a release policy and must not be exportable. Returns whether the key is a
/// secure-wrap key (which may then carry a release policy without being exportable).
///
/// # Errors
/// 400 when a secure-wrap key is exportable or has no release policy.
pub fn check_new_key(
    ops: &[KeyOperation],
    exportable: bool,
    has_policy: bool,
) -> Result<bool, ApiError> {
    if !is_secure_wrap_key(ops) {
        return Ok(false);
    }
    if exportable {
        return Err(ApiError::bad(
            "A key for secure wrap (secureWrapKey/secureUnwrapKey) must not be exportable.",
        ));
    }
    if !has_policy {
        return Err(ApiError::bad(
            "A key for secure wrap (secureWrapKey/secureUnwrapKey) must have a release policy \
             (release_policy).",
        ));
    }
    Ok(true)
}

/// `POST /keys/{name}/{version}/securewrapkey`.
pub async fn secure_wrap_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    version: Option<String>,
    body: &[u8],
) -> Result<Response, ApiError> {
    let params: SecureKeyWrapOperationParameters = parse_json(body)?;
    let (row, private) = load_for(&state, name, version, KeyOperation::SecureWrapKey).await?;
    let kid = view::kid(&ctx.base_url, &row.name, &row.version);
    let alg = params.alg.clone();
    let wrapped = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let generated = kv_crypto_local::random_bytes(GENERATED_KEY_BYTES).map_err(crypto_error)?;
        let key = LocalKey::new(&private).map_err(ApiError::internal)?;
        key.wrap_key(&params.alg, &generated).map_err(crypto_error)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(Json(SecureKeyOperationResult {
        kid,
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
    if params.target.trim().is_empty() {
        return Err(ApiError::bad("target (an attestation token) is required."));
    }
    let (row, private) = load_for(&state, name, version, KeyOperation::SecureUnwrapKey).await?;
    let policy = row.meta.release_policy.as_ref().ok_or_else(|| {
        ApiError::Forbidden("The key has no release policy; secure unwrap is not possible.".into())
    })?;
    let document = parse_policy(policy)?;
    let signers = state.settings().attestation_signers.clone();
    let now = state.clock().now();
    let target = params.target.clone();
    let claims = tokio::task::spawn_blocking(move || token::verify(&target, &signers, now))
        .await
        .map_err(ApiError::internal)??;
    if !document.allows(&claims) {
        return Err(ApiError::Forbidden(
            "The attestation token does not satisfy the key's release policy.".into(),
        ));
    }
    let kid = view::kid(&ctx.base_url, &row.name, &row.version);
    let alg = params.alg.clone();
    let plain = tokio::task::spawn_blocking(move || {
        let key = LocalKey::new(&private).map_err(ApiError::internal)?;
        key.unwrap_key(&params.alg, &params.value)
            .map_err(crypto_error)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(Json(SecureKeyOperationResult {
        kid,
        alg,
        value: SecretBytes::from(plain),
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_key_rules() {
        let secure = [KeyOperation::SecureWrapKey, KeyOperation::SecureUnwrapKey];
        assert!(check_new_key(&secure, false, true).unwrap());
        assert!(check_new_key(&secure, true, true).is_err());
        assert!(check_new_key(&secure, false, false).is_err());
        assert!(!check_new_key(&[KeyOperation::WrapKey], true, true).unwrap());
    }
}
