//! Managed HSM External Key Manager connection (`GET/PATCH/DELETE /ekm`, `POST /ekm/create`,
//! `POST /ekm/check`, `GET /ekm/certificate`; api-version 2026-01-01-preview and later).
//!
//! The emulator records the connection in memory (one per emulator process, like the rest
//! of its Managed HSM administration state that has no persistence need) and never
//! contacts the proxy. `check` answers as a documented test double: when a connection is
//! recorded, the proxy information names the emulator itself (`proxy_vendor`
//! [`TEST_DOUBLE_VENDOR`]), since the emulator also plays the external HSM for external
//! key references ([`crate::routes::external`]); without a connection it answers 404.
//! `certificate` answers a self-signed client CA the emulator generates per process.

use std::sync::{Mutex, OnceLock};

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_protocol::{EkmConnection, EkmProxyClientCertificateInfo, EkmProxyInfo};

use crate::error::ApiError;
use crate::request::parse_json;
use crate::state::AppState;

/// The `proxy_vendor` and `ekm_vendor` that `/ekm/check` reports.
pub const TEST_DOUBLE_VENDOR: &str = "kv-emulator";
/// The subject common name of the emulator's EKM client certificate.
pub const CLIENT_SUBJECT: &str = "kv-emulator EKM Client";

/// The recorded EKM connection.
#[derive(Debug, Default)]
pub struct EkmState {
    connection: Mutex<Option<EkmConnection>>,
}

impl EkmState {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<EkmConnection>> {
        // A panic while holding the lock cannot leave the Option half-written.
        self.connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The recorded connection, if any.
    pub fn get(&self) -> Option<EkmConnection> {
        self.lock().clone()
    }
}

fn not_found() -> ApiError {
    ApiError::NotFound("No EKM connection is configured for this Managed HSM.".into())
}

fn validate(connection: &EkmConnection) -> Result<(), ApiError> {
    if !EkmConnection::is_valid_host(&connection.host) {
        return Err(ApiError::bad(
            "host must be a host name of letters, digits, '-', '.' and ':' only.",
        ));
    }
    if connection.server_ca_certificates.is_empty() {
        return Err(ApiError::bad(
            "server_ca_certificates must hold at least one certificate.",
        ));
    }
    if connection
        .server_ca_certificates
        .iter()
        .any(|der| der.first() != Some(&0x30))
    {
        return Err(ApiError::bad(
            "server_ca_certificates must be DER certificates, base64 encoded.",
        ));
    }
    Ok(())
}

/// `GET /ekm`.
pub fn get(state: &AppState) -> Result<Response, ApiError> {
    let connection = state.ekm().get().ok_or_else(not_found)?;
    Ok(Json(connection).into_response())
}

/// `POST /ekm/create`: fails with 409 when a connection exists.
pub fn create(state: &AppState, body: &[u8]) -> Result<Response, ApiError> {
    let connection: EkmConnection = parse_json(body)?;
    validate(&connection)?;
    let mut slot = state.ekm().lock();
    if slot.is_some() {
        return Err(ApiError::Conflict(
            "An EKM connection already exists; update or delete it instead.".into(),
        ));
    }
    *slot = Some(connection.clone());
    Ok(Json(connection).into_response())
}

/// `PATCH /ekm`: replaces the connection; 404 when there is none.
pub fn update(state: &AppState, body: &[u8]) -> Result<Response, ApiError> {
    let connection: EkmConnection = parse_json(body)?;
    validate(&connection)?;
    let mut slot = state.ekm().lock();
    if slot.is_none() {
        return Err(not_found());
    }
    *slot = Some(connection.clone());
    Ok(Json(connection).into_response())
}

/// `DELETE /ekm`: answers the deleted connection; 404 when there is none.
pub fn delete(state: &AppState) -> Result<Response, ApiError> {
    let deleted = state.ekm().lock().take().ok_or_else(not_found)?;
    Ok(Json(deleted).into_response())
}

/// `POST /ekm/check`: the test double's proxy information (see the module docs).
pub fn check(state: &AppState) -> Result<Response, ApiError> {
    state.ekm().get().ok_or_else(not_found)?;
    Ok(Json(EkmProxyInfo {
        api_version: "1.0.0".into(),
        proxy_vendor: TEST_DOUBLE_VENDOR.into(),
        proxy_name: format!("kv-emulator EKM test double {}", env!("CARGO_PKG_VERSION")),
        ekm_vendor: TEST_DOUBLE_VENDOR.into(),
        ekm_product: "kv-emulator in-process AES key store".into(),
    })
    .into_response())
}

fn client_ca() -> Result<&'static Vec<u8>, ApiError> {
    static CA: OnceLock<Vec<u8>> = OnceLock::new();
    if let Some(der) = CA.get() {
        return Ok(der);
    }
    let key = rcgen::KeyPair::generate().map_err(ApiError::internal)?;
    let mut params =
        rcgen::CertificateParams::new(Vec::<String>::new()).map_err(ApiError::internal)?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, CLIENT_SUBJECT);
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
    let cert = params.self_signed(&key).map_err(ApiError::internal)?;
    Ok(CA.get_or_init(|| cert.der().to_vec()))
}

/// `GET /ekm/certificate`.
pub fn certificate() -> Result<Response, ApiError> {
    Ok(Json(EkmProxyClientCertificateInfo {
        ca_certificates: vec![client_ca()?.clone()],
        subject_common_name: CLIENT_SUBJECT.into(),
    })
    .into_response())
}
