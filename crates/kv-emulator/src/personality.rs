//! How a vault and a Managed HSM answer differently about the same key, as the SDK teams'
//! recorded live sessions show (see `tests/recorded_sessions.rs`):
//!
//! - A Managed HSM keeps every key in its HSM: a software key type (`RSA`, `EC`, `oct`)
//!   asked for at create or import is stored and reported in its `-HSM` form
//!   (Go `TestCRUD/RSA_MHSM.json`: `"kty": "RSA"` in, `"kty": "RSA-HSM"` out).
//! - A Managed HSM's EC keys created without `key_ops` also list `deriveKey` (Python
//!   `test_key_crud_operations[7.6_mhsm]`: `["verify", "deriveKey", "sign"]`); a vault's
//!   list `sign` and `verify`. Its `oct-HSM` keys list `sign`, `verify` and `deriveKey`
//!   besides the four AES operations (Java and JS recordings, 7.4 and 7.6).
//! - A vault reports `attributes.hsmPlatform: "0"` on its software-protected keys; a
//!   Managed HSM sends no `hsmPlatform` (Python `test_key_crud_operations[7.6_vault]` and
//!   `[7.6_mhsm]`).

use kv_jwk::{JsonWebKey, KeyFamily, KeyOperation, KeyType};

use crate::vaults::{VaultId, VaultKind};

/// The key type `kind` stores for a requested `kty`.
pub fn stored_kty(kind: VaultKind, kty: &KeyType) -> KeyType {
    if !kind.is_hsm() || kty.is_hsm() {
        return kty.clone();
    }
    match kty.family() {
        Some(KeyFamily::Rsa) => KeyType::RsaHsm,
        Some(KeyFamily::Ec) => KeyType::EcHsm,
        Some(KeyFamily::Oct) => KeyType::OctHsm,
        Some(KeyFamily::Akp) => KeyType::AkpHsm,
        None => kty.clone(),
    }
}

/// Moves a new key into the form `kind` stores it in (see [`stored_kty`]).
pub fn adopt(kind: VaultKind, private: &mut JsonWebKey) {
    if let Some(kty) = private.kty.as_ref() {
        private.kty = Some(stored_kty(kind, kty));
    }
}

/// `deriveKey` (ECDH), which Managed HSM lists on EC keys; the emulator lists and keeps it
/// but performs no key derivation.
pub const DERIVE_KEY: &str = "deriveKey";

/// Whether the service accepts `op` in `key_ops`: the spec's operations and
/// [`DERIVE_KEY`].
pub fn is_accepted_key_op(op: &KeyOperation) -> bool {
    op.is_known() || op.as_str() == DERIVE_KEY
}

/// The operations `kind` adds to the defaults of a key created without `key_ops`: a
/// Managed HSM adds `deriveKey` to EC keys, and `sign`, `verify` and `deriveKey` to
/// `oct-HSM` keys (Java `KeyClientManagedHsmTest.createOctKeyWithValidSize`, 7.4, and JS
/// `hsmoperations/recording_create_an_oct_key`, 7.6: seven operations).
pub fn extra_default_key_ops(kind: VaultKind, public: &JsonWebKey) -> Vec<KeyOperation> {
    if !kind.is_hsm() {
        return Vec::new();
    }
    match public.kty.as_ref().and_then(KeyType::family) {
        Some(KeyFamily::Ec) => vec![KeyOperation::from(DERIVE_KEY)],
        Some(KeyFamily::Oct) => vec![
            KeyOperation::Sign,
            KeyOperation::Verify,
            KeyOperation::from(DERIVE_KEY),
        ],
        _ => Vec::new(),
    }
}

/// A rotation policy as `kind` stores and answers it. A vault keeps a Notify action (the
/// default one is added by [`crate::service::rotation::validate_policy`]) and spells
/// actions `Rotate`/`Notify`; a Managed HSM adds none and answers them in lower case
/// (Go `TestRotateKey/KV.json` and `TestRotateKey/MHSM.json`).
pub fn stored_rotation_policy(
    kind: VaultKind,
    mut policy: kv_protocol::KeyRotationPolicy,
    had_notify: bool,
) -> kv_protocol::KeyRotationPolicy {
    use kv_protocol::KeyRotationPolicyAction as Action;
    if !kind.is_hsm() {
        return policy;
    }
    let actions = policy.lifetime_actions.get_or_insert_with(Vec::new);
    if !had_notify {
        actions.retain(|a| {
            a.action.as_ref().and_then(|t| t.action_type.as_ref()) != Some(&Action::Notify)
        });
    }
    for action in actions.iter_mut() {
        if let Some(t) = action.action.as_mut().and_then(|t| t.action_type.as_mut()) {
            *t = Action::from(t.as_str().to_ascii_lowercase());
        }
    }
    policy
}

/// The answer of a cryptographic operation: the result as is on a vault; on a Managed
/// HSM with `alg` added, and `kid` where the result has none (verify), as its recorded
/// answers show (Go `TestSignVerify/MHSM.json`, `TestEncryptDecryptSymmetric.json`).
pub fn operation_result<T: serde::Serialize>(
    kind: VaultKind,
    alg: &str,
    kid: &str,
    result: &T,
) -> Result<axum::response::Response, crate::error::ApiError> {
    use axum::response::IntoResponse;
    if !kind.is_hsm() {
        return Ok(axum::Json(result).into_response());
    }
    let mut value = serde_json::to_value(result).map_err(crate::error::ApiError::internal)?;
    if let Some(object) = value.as_object_mut() {
        object.insert("alg".to_owned(), alg.into());
        object
            .entry("kid")
            .or_insert_with(|| serde_json::Value::from(kid));
    }
    Ok(axum::Json(value).into_response())
}

/// The kind of the instance at `base_url` (`https://host[:port]`), for views that only
/// have the URL; plain addresses are `default_kind`.
pub fn kind_of_base(base_url: &str, default_kind: VaultKind) -> VaultKind {
    VaultId::of_host(base_url.strip_prefix("https://"), default_kind).kind
}

/// `attributes.hsmPlatform` as `kind` reports it for a key of type `kty`.
/// A vault reports `0` for software keys and `2` for HSM keys (Go
/// `TestRotateKey/KV.json`); a Managed HSM sends none.
pub fn hsm_platform(kind: VaultKind, kty: Option<&KeyType>) -> Option<String> {
    match (kind, kty) {
        (VaultKind::Vault, Some(kty)) => Some(if kty.is_hsm() { "2" } else { "0" }.to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsm_stores_hsm_forms() {
        let hsm = VaultKind::ManagedHsm;
        assert_eq!(stored_kty(hsm, &KeyType::Rsa), KeyType::RsaHsm);
        assert_eq!(stored_kty(hsm, &KeyType::Ec), KeyType::EcHsm);
        assert_eq!(stored_kty(hsm, &KeyType::Oct), KeyType::OctHsm);
        assert_eq!(stored_kty(VaultKind::Vault, &KeyType::Rsa), KeyType::Rsa);
        assert_eq!(
            hsm_platform(VaultKind::Vault, Some(&KeyType::Ec)).as_deref(),
            Some("0")
        );
        assert_eq!(hsm_platform(hsm, Some(&KeyType::Ec)), None);
        assert_eq!(
            kind_of_base("https://h1x.managedhsm.localhost:1", VaultKind::Vault),
            hsm
        );
    }
}
