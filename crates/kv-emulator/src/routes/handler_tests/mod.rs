//! Handler tests through [`crate::router`] with `oneshot` (no socket): shared helpers.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::clock::Clock;
use crate::state::{AppState, VaultSettings};
use crate::store::Store;

pub(super) const HOST: &str = "myvault.vault.localhost:8443";
pub(super) const BASE: &str = "https://myvault.vault.localhost:8443";
/// A Managed HSM on the same emulator (administration APIs live there).
pub(super) const HSM_HOST: &str = "myhsm.managedhsm.localhost:8443";

pub(super) struct TestApp {
    pub(super) state: AppState,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub(super) fn new() -> Self {
        Self::with(|settings| settings)
    }

    /// An app over the settings `edit` makes of the default test settings.
    pub(super) fn with(edit: impl FnOnce(VaultSettings) -> VaultSettings) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let settings = edit(VaultSettings {
            attestation_signers: vec![attestation_signer().to_public()],
            ca_pem: crate::tls::TlsMaterial::load_or_create(dir.path())
                .unwrap()
                .trust_pem,
            ..VaultSettings::default()
        });
        Self::open(dir, settings)
    }

    fn open(dir: tempfile::TempDir, settings: VaultSettings) -> Self {
        let store = Store::open(dir.path()).unwrap();
        let state = AppState::new(store, Clock::default(), settings);
        Self { state, _dir: dir }
    }

    /// The same data directory and settings in a new state, as after a restart.
    pub(super) fn restarted(self) -> Self {
        let settings = self.state.settings().clone();
        let Self { state, _dir: dir } = self;
        drop(state);
        Self::open(dir, settings)
    }

    pub(super) async fn raw(
        &self,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
        auth: bool,
    ) -> axum::response::Response {
        self.raw_at(HOST, method, path, body, auth).await
    }

    pub(super) async fn raw_at(
        &self,
        host: &str,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
        auth: bool,
    ) -> axum::response::Response {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, host);
        if auth {
            req = req.header(header::AUTHORIZATION, "Bearer test-token");
        }
        let body = match body {
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(b)
            }
            None => Body::empty(),
        };
        crate::router(self.state.clone())
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap()
    }

    pub(super) async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call_at(HOST, method, path, body).await
    }

    /// [`Self::call`] on the Managed HSM [`HSM_HOST`].
    pub(super) async fn call_hsm(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call_at(HSM_HOST, method, path, body).await
    }

    pub(super) async fn call_at(
        &self,
        host: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call_version_at(host, "7.6", method, path, body).await
    }

    /// [`Self::call_at`] at api-version `version`.
    pub(super) async fn call_version_at(
        &self,
        host: &str,
        version: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let sep = if path.contains('?') { '&' } else { '?' };
        let path = format!("{path}{sep}api-version={version}");
        let resp = self
            .raw_at(
                host,
                method,
                &path,
                body.map(|b| serde_json::to_vec(&b).unwrap()),
                true,
            )
            .await;
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        (status, value)
    }

    pub(super) async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.call(method, path, body).await;
        assert_eq!(status, StatusCode::OK, "{method} {path}: {value}");
        value
    }

    pub(super) async fn create(&self, name: &str, body: Value) -> Value {
        self.ok("POST", &format!("/keys/{name}/create"), Some(body))
            .await
    }
}

pub(super) fn kid(bundle: &Value) -> &str {
    bundle["key"]["kid"].as_str().unwrap()
}

pub(super) fn version_of(bundle: &Value) -> String {
    kid(bundle).rsplit('/').next().unwrap().to_owned()
}

pub(super) fn code(value: &Value) -> &str {
    value["error"]["code"].as_str().unwrap_or_default()
}

pub(super) fn b64(bytes: &[u8]) -> String {
    kv_jwk::base64url::encode(bytes)
}

pub(super) fn unb64(value: &Value) -> Vec<u8> {
    kv_jwk::base64url::decode(value.as_str().unwrap()).unwrap()
}

pub(super) fn attestation_signer() -> &'static kv_jwk::JsonWebKey {
    static SIGNER: std::sync::OnceLock<kv_jwk::JsonWebKey> = std::sync::OnceLock::new();
    SIGNER.get_or_init(|| kv_crypto_local::generate_ec(&kv_jwk::KeyCurveName::P256).unwrap())
}

pub(super) fn attestation_token(signer: &kv_jwk::JsonWebKey, claims: &Value) -> String {
    let enc = |v: &Value| b64(&serde_json::to_vec(v).unwrap());
    let input = format!(
        "{}.{}",
        enc(&json!({"alg": "ES256", "typ": "JWT"})),
        enc(claims)
    );
    let alg = kv_jwk::SignatureAlgorithm::Es256;
    let digest = kv_crypto_local::digest::sha256(input.as_bytes());
    let sig = kv_crypto_local::LocalKey::new(signer)
        .unwrap()
        .sign(&alg, &digest)
        .unwrap();
    format!("{input}.{}", b64(&sig))
}

mod crypto;
mod fidelity;
mod lifecycle;
mod limits;
mod management;
mod release;
mod strict_auth;
mod versions;
