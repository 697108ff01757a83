//! The emulator as its own attestation service for the SDKs' key release tests.
//!
//! The official SDKs' live tests (Python, .NET, JavaScript, Go) get the attestation token
//! for key release with `GET {AZURE_KEYVAULT_ATTESTATION_URL}/generate-test-token`, which
//! answers `{"token": JWT}`, and create keys whose release policy names that URL as the
//! `authority` and asks for the claim `"sdk-test": true`. Pointing
//! `AZURE_KEYVAULT_ATTESTATION_URL` at the emulator itself (any of its host names, with
//! the port) makes those tests run here:
//!
//! - `GET /generate-test-token` (no authentication, no `api-version`) answers
//!   `{"token": "..."}`: a JWT signed ES256 by a P-256 key the emulator generates once per
//!   process, with `iss` the request's own base URL (`https://HOST:PORT`), `iat`/`nbf`
//!   now and `exp` an hour later (the emulator's clock), `"sdk-test": true`, `x-ms-ver`
//!   and, under `x-ms-runtime.keys`, an RSA-2048 public key (`kid`
//!   `TpmEphemeralEncryptionKey`) that key release wraps released keys to.
//! - `GET /.well-known/openid-configuration` names `jwks_uri` `https://HOST:PORT/certs`,
//!   and `GET /certs` is the signing key as a JWKS, as an attestation provider publishes.
//!
//! Key release and secure unwrap trust this signer besides the ones configured
//! (`--attestation-jwks`), so its tokens pass wherever a policy's authority is the
//! emulator's URL; a policy naming another authority still refuses them (`iss` differs).
//! Nothing here is an attestation of anything: the runtime key's private half is thrown
//! away, as the test service's tokens prove nothing about a real environment either.

use std::sync::{Arc, OnceLock};

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kv_crypto_local::LocalKey;
use kv_jwk::{JsonWebKey, KeyCurveName, KeyOperation, SignatureAlgorithm};
use serde_json::json;

use crate::error::ApiError;
use crate::request::request_base_url;
use crate::state::AppState;

/// How long a generated token is valid, in seconds.
pub const TOKEN_LIFETIME_SECS: i64 = 3_600;

/// The `kid` of the runtime key in generated tokens (the name the test service uses).
pub const RUNTIME_KEY_ID: &str = "TpmEphemeralEncryptionKey";

/// The signer and runtime key of the test attestation service, made on first use.
#[derive(Debug)]
pub struct TestAttestation {
    signer: LocalKey,
    /// The signer's public key (with its `kid`), trusted by key release.
    public: JsonWebKey,
    /// The runtime key's public half, put in every token.
    runtime: JsonWebKey,
}

impl TestAttestation {
    fn generate() -> Result<Self, ApiError> {
        let private =
            kv_crypto_local::generate_ec(&KeyCurveName::P256).map_err(ApiError::internal)?;
        let mut public = private.to_public();
        public.kid = Some(
            kv_crypto_local::digest::jwk_thumbprint_sha256_base64url(&public)
                .map_err(ApiError::internal)?,
        );
        let mut runtime = kv_crypto_local::generate_rsa(2048, None)
            .map_err(ApiError::internal)?
            .to_public();
        runtime.kid = Some(RUNTIME_KEY_ID.to_owned());
        runtime.key_ops = Some(vec![KeyOperation::Encrypt]);
        Ok(Self {
            signer: LocalKey::new(&private).map_err(ApiError::internal)?,
            public,
            runtime,
        })
    }

    /// The public key tokens are signed with.
    pub fn public_key(&self) -> &JsonWebKey {
        &self.public
    }

    /// A token issued by `issuer` at `now` (UNIX seconds).
    fn token(&self, issuer: &str, now: i64) -> Result<String, ApiError> {
        let header = json!({"alg": "ES256", "typ": "JWT", "kid": self.public.kid});
        let claims = json!({
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now.saturating_add(TOKEN_LIFETIME_SECS),
            "sdk-test": true,
            "x-ms-ver": "1.0",
            "x-ms-attestation-type": "sdk-test",
            "x-ms-runtime": {"keys": [self.runtime]},
        });
        super::token::sign(&self.signer, &SignatureAlgorithm::Es256, &header, &claims)
    }
}

static SERVICE: OnceLock<Arc<TestAttestation>> = OnceLock::new();

/// The process's test attestation service, generated on first use (an RSA key takes a
/// moment, and most runs never ask).
pub fn service() -> Result<Arc<TestAttestation>, ApiError> {
    if let Some(existing) = SERVICE.get() {
        return Ok(existing.clone());
    }
    let made = Arc::new(TestAttestation::generate()?);
    Ok(SERVICE.get_or_init(|| made).clone())
}

/// The signer's public key once the service exists: no token of it can exist before.
pub fn signer_if_started() -> Option<JsonWebKey> {
    SERVICE.get().map(|s| s.public_key().clone())
}

/// The routes (no authentication, no `api-version`), merged by
/// [`crate::management::router`].
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/generate-test-token", get(generate_test_token))
        .route(
            "/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/certs", get(certs))
}

async fn generate_test_token(State(state): State<AppState>, request: Request) -> Response {
    let issued = service().and_then(|s| s.token(&request_base_url(&request), state.clock().now()));
    match issued {
        Ok(token) => Json(json!({"token": token})).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn openid_configuration(request: Request) -> Response {
    let base = request_base_url(&request);
    Json(json!({
        "issuer": base,
        "jwks_uri": format!("{base}/certs"),
        "id_token_signing_alg_values_supported": ["ES256"],
        "claims_supported": ["iss", "iat", "nbf", "exp", "sdk-test", "x-ms-ver", "x-ms-runtime"],
    }))
    .into_response()
}

async fn certs() -> Response {
    match service() {
        Ok(s) => Json(json!({"keys": [s.public_key()]})).into_response(),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::token;

    #[test]
    fn tokens_verify_under_the_published_key_and_carry_a_runtime_key() {
        let s = service().unwrap();
        let jwt = s
            .token("https://hsm.managedhsm.localhost:8443", 1_000)
            .unwrap();
        let claims = token::verify(&jwt, &[s.public_key().clone()], 1_000).unwrap();
        assert_eq!(claims["iss"], "https://hsm.managedhsm.localhost:8443");
        assert_eq!(claims["sdk-test"], true);
        let runtime = token::runtime_key(&claims).unwrap();
        assert_eq!(runtime.kid.as_deref(), Some(RUNTIME_KEY_ID));
        assert!(runtime.d.is_none(), "only the public half travels");
        // Expired an hour later, by the emulator's clock.
        assert!(
            token::verify(&jwt, &[s.public_key().clone()], 1_000 + TOKEN_LIFETIME_SECS).is_err()
        );
        // Another signer's key does not verify it.
        let other = TestAttestation::generate().unwrap();
        assert!(token::verify(&jwt, &[other.public_key().clone()], 1_000).is_err());
    }
}
