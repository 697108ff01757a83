//! Secure key wrap and unwrap (api-version 2026-01-01-preview and later).
//!
//! Secure wrap generates a fresh AES-256 key (as the service does inside its TEE) and
//! answers it wrapped with the named key. Secure unwrap unwraps it only for an attestation
//! `target` that the emulator trusts and that satisfies the key's release policy (the same
//! checks as key release, [`super::release::attested_claims`]), and answers it encrypted
//! with RSA-OAEP-256 to the target's runtime key (`x-ms-runtime.keys`, the key release
//! wraps to), never in the clear: the live Managed HSM's recorded answer is 256 bytes, an
//! RSA-2048 ciphertext, not the 32-byte key.
//!
//! The wrapping key must grant `secureWrapKey`/`secureUnwrapKey` (else 403, as recorded for
//! the live Managed HSM), carry a release policy and not be exportable;
//! [`super::keys::check_new_key`] enforces the last two at create.

use kv_jwk::{KeyOperation, KeyWrapAlgorithm};
use kv_protocol::SECURE_KEY_WRAP_ALGORITHMS;

use crate::error::{ApiError, crypto_error};
use crate::state::AppState;
use crate::store::VersionRow;

use super::crypto::local_key;
use super::keys::load_usable;
use crate::release::{token, wrap};

use super::release::attested_claims;

/// Size of the key secure wrap generates (the spec: "a new 256 bit AES key").
const GENERATED_KEY_BYTES: usize = 32;

/// Refuses an `alg` outside the secure wrap enum with the service's bad-parameter shape;
/// one inside it that does not fit the key (size, family) is refused by
/// [`kv_crypto_local::LocalKey`].
fn check_algorithm(alg: &KeyWrapAlgorithm) -> Result<(), ApiError> {
    if SECURE_KEY_WRAP_ALGORITHMS.contains(alg) {
        Ok(())
    } else {
        Err(ApiError::bad(format!(
            "The algorithm {alg} is not supported for secure key wrap; use one of {}.",
            SECURE_KEY_WRAP_ALGORITHMS
                .iter()
                .map(KeyWrapAlgorithm::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// A new AES-256 key wrapped with `name`/`version` under `alg`.
pub(crate) async fn wrap(
    state: &AppState,
    name: String,
    version: Option<String>,
    alg: KeyWrapAlgorithm,
) -> Result<(VersionRow, Vec<u8>), ApiError> {
    check_algorithm(&alg)?;
    let (row, private) = load_usable(state, name, version, KeyOperation::SecureWrapKey).await?;
    let wrapped = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let generated = kv_crypto_local::random_bytes(GENERATED_KEY_BYTES).map_err(crypto_error)?;
        let key = local_key(&private)?;
        key.wrap_key(&alg, &generated).map_err(crypto_error)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok((row, wrapped))
}

/// The key `value` wraps, unwrapped with `name`/`version` for attestation token `target` and
/// encrypted to the token's runtime key ([`wrap::encrypt_for_target`]).
///
/// # Errors
/// 400 for an `alg` outside the enum or a missing target; 403 for a refused target,
/// including one without a usable RSA runtime key.
pub(crate) async fn unwrap(
    state: &AppState,
    name: String,
    version: Option<String>,
    alg: KeyWrapAlgorithm,
    value: Vec<u8>,
    target: String,
) -> Result<(VersionRow, Vec<u8>), ApiError> {
    check_algorithm(&alg)?;
    if target.trim().is_empty() {
        return Err(ApiError::bad("target (an attestation token) is required."));
    }
    let (row, private) = load_usable(state, name, version, KeyOperation::SecureUnwrapKey).await?;
    let policy = row.meta.release_policy.as_ref().ok_or_else(|| {
        ApiError::Forbidden("The key has no release policy; secure unwrap is not possible.".into())
    })?;
    let claims = attested_claims(state, policy, target).await?;
    let runtime = token::runtime_key(&claims)?;
    let encrypted = tokio::task::spawn_blocking(move || {
        let key = local_key(&private)?;
        let plain = key.unwrap_key(&alg, &value).map_err(crypto_error)?;
        wrap::encrypt_for_target(&runtime, &plain)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok((row, encrypted))
}
