//! Secure key release and the attestation check it shares with secure unwrap.
//!
//! An exportable key with a release policy is released only for an attestation token whose
//! signature, validity and claims satisfy the policy (see [`crate::release::token`] for
//! what the emulator trusts); the key comes back wrapped to the token's runtime public key
//! ([`crate::release::wrap`]). The answer is a JWS signed ES256 with a key the emulator
//! generates per process; its public key is in the JWS header (`jwk`).

use kv_crypto_local::LocalKey;
use kv_jwk::{JsonWebKey, KeyCurveName, SignatureAlgorithm};
use kv_protocol::{KeyEncryptionAlgorithm, KeyReleasePolicy};
use serde_json::json;

use crate::error::{ApiError, crypto_error};
use crate::names::validate_key_name;
use crate::release::{parse_policy, token, wrap};
use crate::state::AppState;
use crate::store::VersionRow;

use super::keys::find;

/// The verified claims of attestation token `target`, which must be signed by a trusted
/// signer, valid now, and satisfy `policy`.
///
/// # Errors
/// 400 for a malformed policy; 403 for a token that is untrusted, expired or refused by
/// the policy.
pub(crate) async fn attested_claims(
    state: &AppState,
    policy: &KeyReleasePolicy,
    target: String,
) -> Result<serde_json::Value, ApiError> {
    let document = parse_policy(policy)?;
    let mut signers = state.settings().attestation_signers.clone();
    // Tokens of the emulator's own test attestation service (`/generate-test-token`).
    signers.extend(crate::release::test_service::signer_if_started());
    let now = state.clock().now();
    let claims = tokio::task::spawn_blocking(move || token::verify(&target, &signers, now))
        .await
        .map_err(ApiError::internal)??;
    if !document.allows(&claims) {
        return Err(ApiError::Forbidden(
            "The attestation token does not satisfy the key's release policy.".into(),
        ));
    }
    Ok(claims)
}

/// A released key: the version and its private key wrapped for the target (`key_hsm`).
pub(crate) struct Released {
    /// The released version.
    pub(crate) row: VersionRow,
    /// The private key wrapped to the token's runtime key (the bundle's `key.key_hsm`).
    pub(crate) key_hsm: Vec<u8>,
}

/// Releases version `name`/`version` (latest when `None`) for attestation token `target`,
/// wrapped with `enc`.
pub(crate) async fn release(
    state: &AppState,
    name: String,
    version: Option<String>,
    target: String,
    enc: KeyEncryptionAlgorithm,
) -> Result<Released, ApiError> {
    validate_key_name(&name)?;
    let now = state.clock().now();
    let (row, private) = state
        .store()
        .run(move |tx| {
            let row = find(tx, &name, version.as_deref())?;
            let attrs = &row.meta.attributes;
            if attrs.enabled == Some(false) {
                return Err(ApiError::Forbidden(
                    "Operation release is not allowed on a disabled key.".into(),
                ));
            }
            if attrs.nbf.is_some_and(|nbf| now < nbf) || attrs.exp.is_some_and(|exp| now >= exp) {
                return Err(ApiError::Forbidden(
                    "Operation release is not allowed outside the key's validity period.".into(),
                ));
            }
            if attrs.exportable != Some(true) {
                return Err(ApiError::Forbidden("The key is not exportable.".into()));
            }
            let private = tx.private(&row.name, &row.version)?;
            Ok((row, private))
        })
        .await?;
    let policy = row
        .meta
        .release_policy
        .as_ref()
        .ok_or_else(|| ApiError::Forbidden("The key has no release policy.".into()))?;
    let claims = attested_claims(state, policy, target).await?;
    let runtime = token::runtime_key(&claims)?;
    let key_hsm =
        tokio::task::spawn_blocking(move || wrap::wrap_for_target(&private, &runtime, &enc))
            .await
            .map_err(ApiError::internal)??;
    Ok(Released { row, key_hsm })
}

/// The emulator's release key (made once per process): its public JWK, sent in each
/// answer's header, and the key that signs.
fn signer() -> Result<&'static (JsonWebKey, LocalKey), ApiError> {
    static SIGNER: std::sync::OnceLock<(JsonWebKey, LocalKey)> = std::sync::OnceLock::new();
    if let Some(k) = SIGNER.get() {
        return Ok(k);
    }
    let private = kv_crypto_local::generate_ec(&KeyCurveName::P256).map_err(crypto_error)?;
    let key = LocalKey::new(&private).map_err(crypto_error)?;
    Ok(SIGNER.get_or_init(|| (private.to_public(), key)))
}

/// `payload` as a JWS signed ES256 by the emulator's release key.
pub(crate) fn sign_jws(payload: &serde_json::Value) -> Result<String, ApiError> {
    let (public, key) = signer()?;
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": "kv-emulator-release", "jwk": public});
    token::sign(key, &SignatureAlgorithm::Es256, &header, payload)
}
