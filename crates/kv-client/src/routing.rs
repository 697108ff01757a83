//! The one place that decides whether a cryptographic operation runs locally or in the
//! service: [`route`].

use kv_jwk::{JsonWebKey, KeyFamily};
use time::OffsetDateTime;

use crate::error::{Error, ErrorKind};

/// The operations [`route`] decides: the service's vocabulary, shared with the emulator.
pub use kv_protocol::CryptoOperation;

/// Where the caller allows operations to run. The default is [`Auto`](Self::Auto).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RoutingMode {
    /// Locally whenever the rules of [`route`] allow, otherwise in the service.
    #[default]
    Auto,
    /// Only locally; an operation that cannot run locally fails. Never touches the network.
    LocalOnly,
    /// Only in the service; key material is never fetched.
    RemoteOnly,
}

/// Where an operation ran; part of every crypto result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OperationLocation {
    /// In this process, with the cached key material.
    Local,
    /// In Key Vault or Managed HSM.
    Remote,
}

/// Why an operation cannot run locally.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LocalBlocker {
    /// The client holds no key material (not fetched yet, or the fetch failed).
    NoKeyMaterial,
    /// The operation needs the private key and the client holds only the public one.
    NoPrivateKey,
    /// A symmetric key without `k`: the service never returns it, so only remote works.
    NoSymmetricKey,
    /// The key type is unknown to this library.
    UnknownKeyType,
    /// The local provider does not implement this algorithm for this key.
    AlgorithmNotSupported,
    /// The key's `key_ops` do not include the operation.
    OperationNotPermitted,
    /// Now is outside the key's `nbf`/`exp` window.
    OutsideValidity,
}

impl LocalBlocker {
    fn describe(self) -> &'static str {
        match self {
            Self::NoKeyMaterial => "no key material is available locally",
            Self::NoPrivateKey => "the operation needs the private key, which is not available",
            Self::NoSymmetricKey => "the symmetric key material (k) is not available",
            Self::UnknownKeyType => "the key type is not known to this library",
            Self::AlgorithmNotSupported => "the algorithm is not supported locally for this key",
            Self::OperationNotPermitted => "the key's key_ops do not permit this operation",
            Self::OutsideValidity => "the key is outside its validity period",
        }
    }
}

/// The decision of [`route`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Route {
    /// Run with the local key.
    Local,
    /// Send to the service.
    Remote,
    /// Do not run at all.
    Refuse(Refusal),
}

/// Why an operation is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// A protecting operation before the key's `nbf`.
    NotYetValid,
    /// A protecting operation after the key's `exp`.
    Expired,
    /// Local-only (by mode or by construction) and the operation cannot run locally.
    LocalUnavailable(LocalBlocker),
    /// Remote-only mode on a client that has no service connection (built from a JWK).
    RemoteUnavailable,
}

impl Refusal {
    /// The error a refused operation returns.
    pub fn into_error(self, op: CryptoOperation) -> Error {
        match self {
            Self::NotYetValid => Error::new(
                ErrorKind::KeyNotValid,
                format!("{op}: the key is not valid yet (before its not-before time)"),
            ),
            Self::Expired => {
                Error::new(ErrorKind::KeyNotValid, format!("{op}: the key has expired"))
            }
            Self::LocalUnavailable(blocker) => Error::new(
                ErrorKind::NotSupported,
                format!("{op} cannot run locally: {}", blocker.describe()),
            ),
            Self::RemoteUnavailable => Error::new(
                ErrorKind::NotSupported,
                format!("{op}: remote-only mode on a client without a vault connection"),
            ),
        }
    }
}

/// Everything [`route`] looks at. Built by the façade for each operation.
#[derive(Clone, Copy, Debug)]
pub struct RouteState<'a> {
    /// The caller's explicit mode.
    pub mode: RoutingMode,
    /// The key material the client holds, if any.
    pub key: Option<&'a JsonWebKey>,
    /// `LocalKey::supports(op, alg)` for the held key; `false` when there is no key.
    pub locally_supported: bool,
    /// The key's `nbf` attribute.
    pub not_before: Option<OffsetDateTime>,
    /// The key's `exp` attribute.
    pub expires_on: Option<OffsetDateTime>,
    /// The current time.
    pub now: OffsetDateTime,
    /// Whether the client can reach the service (false for clients built from a JWK).
    pub remote_available: bool,
}

/// Decides where `op` runs.
///
/// In order:
/// 1. A protecting operation (encrypt, wrap, sign) outside the key's `nbf`/`exp` window is
///    refused in every mode, as the official SDKs do.
/// 2. [`RoutingMode::RemoteOnly`] goes remote.
/// 3. The operation runs locally when the client holds key material, that material can do
///    the operation (public-side operations with any asymmetric key, private ones only with
///    private material, symmetric ones only with `k`), the local provider supports the
///    algorithm, `key_ops` permit it, and now is inside the validity window.
/// 4. Otherwise it goes remote, unless the client is local-only (by mode or because it has
///    no service connection): then it is refused with the reason.
pub fn route(op: CryptoOperation, state: &RouteState<'_>) -> Route {
    let before_nbf = state.not_before.is_some_and(|nbf| state.now < nbf);
    let after_exp = state.expires_on.is_some_and(|exp| state.now > exp);
    if op.is_protecting() {
        if before_nbf {
            return Route::Refuse(Refusal::NotYetValid);
        }
        if after_exp {
            return Route::Refuse(Refusal::Expired);
        }
    }
    if state.mode == RoutingMode::RemoteOnly {
        return if state.remote_available {
            Route::Remote
        } else {
            Route::Refuse(Refusal::RemoteUnavailable)
        };
    }
    let blocker = local_blocker(op, state, before_nbf || after_exp);
    match blocker {
        None => Route::Local,
        Some(b) if state.mode == RoutingMode::LocalOnly || !state.remote_available => {
            Route::Refuse(Refusal::LocalUnavailable(b))
        }
        Some(_) => Route::Remote,
    }
}

fn local_blocker(
    op: CryptoOperation,
    state: &RouteState<'_>,
    outside_validity: bool,
) -> Option<LocalBlocker> {
    let Some(key) = state.key else {
        return Some(LocalBlocker::NoKeyMaterial);
    };
    let Some(family) = key.kty.as_ref().and_then(|k| k.family()) else {
        return Some(LocalBlocker::UnknownKeyType);
    };
    match family {
        KeyFamily::Oct if key.k.is_none() => return Some(LocalBlocker::NoSymmetricKey),
        KeyFamily::Rsa | KeyFamily::Ec if op.needs_private_key() && key.d.is_none() => {
            return Some(LocalBlocker::NoPrivateKey);
        }
        // ML-DSA: the service never returns `priv`, so signing stays remote and verifying
        // (public key `pub`) runs locally, as for RSA and EC.
        KeyFamily::Akp if op.needs_private_key() && key.priv_key.is_none() => {
            return Some(LocalBlocker::NoPrivateKey);
        }
        _ => {}
    }
    if !state.locally_supported {
        return Some(LocalBlocker::AlgorithmNotSupported);
    }
    if !key.permits(&op.key_operation()) {
        return Some(LocalBlocker::OperationNotPermitted);
    }
    if outside_validity {
        return Some(LocalBlocker::OutsideValidity);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use kv_jwk::{KeyCurveName, KeyOperation, KeyType, SecretBytes};
    use time::Duration;

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap()
    }

    fn rsa_public() -> JsonWebKey {
        JsonWebKey {
            kty: Some(KeyType::Rsa),
            n: Some(vec![0xc5; 256]),
            e: Some(vec![1, 0, 1]),
            ..Default::default()
        }
    }

    fn rsa_private() -> JsonWebKey {
        JsonWebKey {
            d: Some(SecretBytes::from_slice(&[7; 256])),
            ..rsa_public()
        }
    }

    fn ec_public() -> JsonWebKey {
        JsonWebKey {
            kty: Some(KeyType::EcHsm),
            crv: Some(KeyCurveName::P256),
            x: Some(vec![1; 32]),
            y: Some(vec![2; 32]),
            ..Default::default()
        }
    }

    fn ml_dsa_public() -> JsonWebKey {
        JsonWebKey {
            kty: Some(KeyType::AkpHsm),
            alg: Some(kv_jwk::SignatureAlgorithm::MlDsa65),
            pub_key: Some(vec![3; 1952]),
            ..Default::default()
        }
    }

    /// ML-DSA keys route like RSA and EC: verify locally with `pub`, sign remotely (the
    /// service never returns `priv`), sign locally only with a local `priv`.
    #[test]
    fn ml_dsa_verify_is_local_and_sign_remote() {
        let public = ml_dsa_public();
        let with_seed = JsonWebKey {
            priv_key: Some(SecretBytes::from_slice(&[9; 32])),
            ..ml_dsa_public()
        };
        let state = |key, mode| RouteState {
            mode,
            key: Some(key),
            locally_supported: true,
            not_before: None,
            expires_on: None,
            now: now(),
            remote_available: true,
        };
        assert_eq!(
            route(CryptoOperation::Verify, &state(&public, RoutingMode::Auto)),
            Route::Local
        );
        assert_eq!(
            route(CryptoOperation::Sign, &state(&public, RoutingMode::Auto)),
            Route::Remote
        );
        assert_eq!(
            route(
                CryptoOperation::Sign,
                &state(&public, RoutingMode::LocalOnly)
            ),
            Route::Refuse(Refusal::LocalUnavailable(LocalBlocker::NoPrivateKey))
        );
        assert_eq!(
            route(CryptoOperation::Sign, &state(&with_seed, RoutingMode::Auto)),
            Route::Local
        );
        assert_eq!(
            route(
                CryptoOperation::Verify,
                &state(&public, RoutingMode::RemoteOnly)
            ),
            Route::Remote
        );
    }

    fn oct(k: bool) -> JsonWebKey {
        JsonWebKey {
            kty: Some(KeyType::OctHsm),
            k: k.then(|| SecretBytes::from_slice(&[9; 32])),
            ..Default::default()
        }
    }

    fn state(key: Option<&JsonWebKey>) -> RouteState<'_> {
        RouteState {
            mode: RoutingMode::Auto,
            key,
            locally_supported: true,
            not_before: None,
            expires_on: None,
            now: now(),
            remote_available: true,
        }
    }

    #[test]
    fn public_side_ops_run_locally_with_public_material() {
        let key = rsa_public();
        for op in [
            CryptoOperation::Encrypt,
            CryptoOperation::Verify,
            CryptoOperation::WrapKey,
        ] {
            assert_eq!(route(op, &state(Some(&key))), Route::Local, "{op}");
        }
        let ec = ec_public();
        assert_eq!(
            route(CryptoOperation::Verify, &state(Some(&ec))),
            Route::Local
        );
    }

    #[test]
    fn private_ops_go_remote_without_private_material() {
        let key = rsa_public();
        for op in [
            CryptoOperation::Decrypt,
            CryptoOperation::Sign,
            CryptoOperation::UnwrapKey,
        ] {
            assert_eq!(route(op, &state(Some(&key))), Route::Remote, "{op}");
        }
        let ec = ec_public();
        assert_eq!(
            route(CryptoOperation::Sign, &state(Some(&ec))),
            Route::Remote
        );
    }

    #[test]
    fn private_ops_run_locally_with_private_material() {
        let key = rsa_private();
        for op in [
            CryptoOperation::Decrypt,
            CryptoOperation::Sign,
            CryptoOperation::UnwrapKey,
        ] {
            assert_eq!(route(op, &state(Some(&key))), Route::Local, "{op}");
        }
    }

    #[test]
    fn no_material_goes_remote() {
        assert_eq!(route(CryptoOperation::Verify, &state(None)), Route::Remote);
    }

    #[test]
    fn symmetric_ops_need_k() {
        let without = oct(false);
        let with = oct(true);
        for op in [
            CryptoOperation::Encrypt,
            CryptoOperation::WrapKey,
            CryptoOperation::Decrypt,
        ] {
            assert_eq!(route(op, &state(Some(&without))), Route::Remote, "{op}");
            assert_eq!(route(op, &state(Some(&with))), Route::Local, "{op}");
        }
    }

    #[test]
    fn unsupported_algorithm_goes_remote() {
        let key = rsa_public();
        let s = RouteState {
            locally_supported: false,
            ..state(Some(&key))
        };
        assert_eq!(route(CryptoOperation::Encrypt, &s), Route::Remote);
    }

    #[test]
    fn unknown_key_type_goes_remote() {
        let key = JsonWebKey {
            kty: Some(KeyType::from("ML-DSA")),
            ..Default::default()
        };
        assert_eq!(
            route(CryptoOperation::Verify, &state(Some(&key))),
            Route::Remote
        );
    }

    #[test]
    fn key_ops_must_permit_the_operation() {
        let key = JsonWebKey {
            key_ops: Some(vec![KeyOperation::Verify]),
            ..rsa_public()
        };
        assert_eq!(
            route(CryptoOperation::Verify, &state(Some(&key))),
            Route::Local
        );
        assert_eq!(
            route(CryptoOperation::Encrypt, &state(Some(&key))),
            Route::Remote
        );
        let local_only = RouteState {
            mode: RoutingMode::LocalOnly,
            ..state(Some(&key))
        };
        assert_eq!(
            route(CryptoOperation::Encrypt, &local_only),
            Route::Refuse(Refusal::LocalUnavailable(
                LocalBlocker::OperationNotPermitted
            ))
        );
    }

    #[test]
    fn protecting_ops_refused_before_nbf() {
        let key = rsa_private();
        let s = RouteState {
            not_before: Some(now() + Duration::hours(1)),
            ..state(Some(&key))
        };
        for op in [
            CryptoOperation::Encrypt,
            CryptoOperation::WrapKey,
            CryptoOperation::Sign,
        ] {
            assert_eq!(route(op, &s), Route::Refuse(Refusal::NotYetValid), "{op}");
        }
        // Decrypt, unwrap and verify are left to the service, which decides.
        for op in [
            CryptoOperation::Decrypt,
            CryptoOperation::UnwrapKey,
            CryptoOperation::Verify,
        ] {
            assert_eq!(route(op, &s), Route::Remote, "{op}");
        }
    }

    #[test]
    fn protecting_ops_refused_after_exp_even_remote_only() {
        let key = rsa_private();
        let s = RouteState {
            expires_on: Some(now() - Duration::seconds(1)),
            mode: RoutingMode::RemoteOnly,
            ..state(Some(&key))
        };
        assert_eq!(
            route(CryptoOperation::Sign, &s),
            Route::Refuse(Refusal::Expired)
        );
        assert_eq!(route(CryptoOperation::Verify, &s), Route::Remote);
    }

    #[test]
    fn inside_window_runs_locally() {
        let key = rsa_private();
        let s = RouteState {
            not_before: Some(now() - Duration::hours(1)),
            expires_on: Some(now() + Duration::hours(1)),
            ..state(Some(&key))
        };
        assert_eq!(route(CryptoOperation::Sign, &s), Route::Local);
        // The window is inclusive at both ends.
        let edge = RouteState {
            not_before: Some(now()),
            expires_on: Some(now()),
            ..state(Some(&key))
        };
        assert_eq!(route(CryptoOperation::Encrypt, &edge), Route::Local);
    }

    #[test]
    fn remote_only_mode_overrides_local_capability() {
        let key = rsa_private();
        let s = RouteState {
            mode: RoutingMode::RemoteOnly,
            ..state(Some(&key))
        };
        assert_eq!(route(CryptoOperation::Verify, &s), Route::Remote);
        let no_conn = RouteState {
            remote_available: false,
            ..s
        };
        assert_eq!(
            route(CryptoOperation::Verify, &no_conn),
            Route::Refuse(Refusal::RemoteUnavailable)
        );
    }

    #[test]
    fn local_only_mode_refuses_instead_of_going_remote() {
        let key = rsa_public();
        let s = RouteState {
            mode: RoutingMode::LocalOnly,
            ..state(Some(&key))
        };
        assert_eq!(route(CryptoOperation::Verify, &s), Route::Local);
        assert_eq!(
            route(CryptoOperation::Sign, &s),
            Route::Refuse(Refusal::LocalUnavailable(LocalBlocker::NoPrivateKey))
        );
        let none = RouteState {
            mode: RoutingMode::LocalOnly,
            ..state(None)
        };
        assert_eq!(
            route(CryptoOperation::Verify, &none),
            Route::Refuse(Refusal::LocalUnavailable(LocalBlocker::NoKeyMaterial))
        );
    }

    #[test]
    fn no_connection_behaves_as_local_only() {
        let key = oct(false);
        let s = RouteState {
            remote_available: false,
            ..state(Some(&key))
        };
        assert_eq!(
            route(CryptoOperation::Encrypt, &s),
            Route::Refuse(Refusal::LocalUnavailable(LocalBlocker::NoSymmetricKey))
        );
    }

    #[test]
    fn refusals_become_clear_errors() {
        let e = Refusal::Expired.into_error(CryptoOperation::Sign);
        assert_eq!(e.kind(), &ErrorKind::KeyNotValid);
        assert!(e.to_string().contains("expired"));
        let e = Refusal::LocalUnavailable(LocalBlocker::NoPrivateKey)
            .into_error(CryptoOperation::Decrypt);
        assert_eq!(e.kind(), &ErrorKind::NotSupported);
        assert!(e.to_string().starts_with("decrypt cannot run locally"));
    }
}
