//! Secure key wrap and unwrap (api-version 2026-01-01-preview and later).
//!
//! Secure wrap generates a fresh AES-256 key (as the service does inside its TEE) and
//! answers it wrapped with the named key. Secure unwrap answers the plaintext key only for
//! an attestation `target` that the emulator trusts and that satisfies the key's release
//! policy: the same checks as key release ([`super::release::attested_claims`]).
//!
//! The wrapping key must grant `secureWrapKey`/`secureUnwrapKey` (else 403, as recorded for
//! the live Managed HSM), carry a release policy and not be exportable;
//! [`super::keys::check_new_key`] enforces the last two at create.

use kv_crypto_local::LocalKey;
use kv_jwk::{KeyOperation, KeyWrapAlgorithm};
use kv_protocol::SECURE_KEY_WRAP_ALGORITHMS;
use zeroize::Zeroizing;

use crate::error::{ApiError, crypto_error};
use crate::state::AppState;
use crate::store::VersionRow;

use super::keys::load_usable;
use super::release::attested_claims;

/// Size of the key secure wrap generates (the spec: "a new 256 bit AES key").
const GENERATED_KEY_BYTES: usize = 32;

/// Refuses an `alg` outside the secure wrap enum with the service's bad-parameter shape;
/// one inside it that does not fit the key (size, family) is refused by [`LocalKey`].
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
        let key = LocalKey::new(&private).map_err(ApiError::internal)?;
        key.wrap_key(&alg, &generated).map_err(crypto_error)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok((row, wrapped))
}

/// The key `value` wraps, unwrapped with `name`/`version` for attestation token `target`.
pub(crate) async fn unwrap(
    state: &AppState,
    name: String,
    version: Option<String>,
    alg: KeyWrapAlgorithm,
    value: Vec<u8>,
    target: String,
) -> Result<(VersionRow, Zeroizing<Vec<u8>>), ApiError> {
    check_algorithm(&alg)?;
    if target.trim().is_empty() {
        return Err(ApiError::bad("target (an attestation token) is required."));
    }
    let (row, private) = load_usable(state, name, version, KeyOperation::SecureUnwrapKey).await?;
    let policy = row.meta.release_policy.as_ref().ok_or_else(|| {
        ApiError::Forbidden("The key has no release policy; secure unwrap is not possible.".into())
    })?;
    attested_claims(state, policy, target).await?;
    let plain = tokio::task::spawn_blocking(move || {
        let key = LocalKey::new(&private).map_err(ApiError::internal)?;
        key.unwrap_key(&alg, &value).map_err(crypto_error)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok((row, plain))
}
