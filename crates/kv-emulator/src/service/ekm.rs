//! The Managed HSM External Key Manager (EKM) connection, stored per instance.
//!
//! Each Managed HSM keeps its connection in its own database (beside its roles and
//! settings), so two HSMs never see each other's and the connection survives a restart.
//! The emulator never contacts the proxy. `check` answers as a documented test double:
//! when a connection is recorded, the proxy information names the emulator itself
//! ([`TEST_DOUBLE_VENDOR`]), since the emulator also plays the external HSM for external
//! key references ([`crate::service::external`]); without a connection it answers 404. The
//! client certificate is a self-signed CA the emulator generates per process.

use std::sync::OnceLock;

use kv_protocol::{
    EkmConnection, EkmConnectivityMode, EkmProxyClientCertificateInfo, EkmProxyInfo,
};

use crate::error::{ApiError, with_activity_id};
use crate::state::AppState;

/// The `proxy_vendor` and `ekm_vendor` that `/ekm/check` reports.
pub(crate) const TEST_DOUBLE_VENDOR: &str = "kv-emulator";
/// The subject common name of the emulator's EKM client certificate.
pub(crate) const CLIENT_SUBJECT: &str = "kv-emulator EKM Client";

/// No connection yet: 404 `NotFound`, `EKM connection not found (Activity ID: ...)` (Go
/// azadmin `TestGetEkmConnection_NotFound`, `TestEkmConnectionLifecycle`, 2026).
fn not_found() -> ApiError {
    ApiError::NotFound(with_activity_id("EKM connection not found"))
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
    // The certificates are not parsed: the service takes `["AA=="]` (one zero byte) at
    // create and update (Java `KeyVaultEkmClientTest.ekmConnectionLifecycle`,
    // 2026-01-01-preview); it checks them only when it reaches the proxy.
    if connection
        .server_ca_certificates
        .iter()
        .any(|der| der.is_empty())
    {
        return Err(ApiError::bad(
            "server_ca_certificates must not hold an empty certificate.",
        ));
    }
    Ok(())
}

/// The instance's connection, if one is recorded.
pub(crate) async fn connection(state: &AppState) -> Result<Option<EkmConnection>, ApiError> {
    state.store().run(|tx| tx.ekm_connection()).await
}

/// The recorded connection; 404 when there is none.
pub(crate) async fn get(state: &AppState) -> Result<EkmConnection, ApiError> {
    connection(state).await?.ok_or_else(not_found)
}

/// Records a new connection; 409 when one exists.
pub(crate) async fn create(
    state: &AppState,
    connection: EkmConnection,
) -> Result<EkmConnection, ApiError> {
    record(state, connection, false).await
}

/// Replaces the connection; 404 when there is none.
pub(crate) async fn update(
    state: &AppState,
    connection: EkmConnection,
) -> Result<EkmConnection, ApiError> {
    record(state, connection, true).await
}

/// Stores a checked `connection`, which must replace one (`replace`) or be the first.
async fn record(
    state: &AppState,
    connection: EkmConnection,
    replace: bool,
) -> Result<EkmConnection, ApiError> {
    validate(&connection)?;
    state
        .store()
        .run(move |tx| {
            match (tx.ekm_connection()?.is_some(), replace) {
                // Go azadmin `TestCreateEkmConnection_ConflictWhenExists` (2026): 400, not 409.
                (true, false) => {
                    return Err(ApiError::BadRequestCode {
                        code: "NotSupported",
                        message: with_activity_id("EKM connection is already setup"),
                    });
                }
                (false, true) => return Err(not_found()),
                _ => {}
            }
            if connection.connectivity_mode == Some(EkmConnectivityMode::PrivateEndpoint)
                && !super::ekm_private_endpoint::exists(tx, &connection.host)?
            {
                return Err(ApiError::bad(format!(
                    "In PrivateEndpoint connectivity mode the host names a private endpoint, \
                     and there is no private endpoint {}.",
                    connection.host
                )));
            }
            tx.put_ekm_connection(&connection)?;
            Ok(connection)
        })
        .await
}

/// Removes the connection and returns it; 404 when there is none.
pub(crate) async fn delete(state: &AppState) -> Result<EkmConnection, ApiError> {
    state
        .store()
        .run(|tx| {
            let deleted = tx.ekm_connection()?.ok_or_else(not_found)?;
            tx.delete_ekm_connection()?;
            Ok(deleted)
        })
        .await
}

/// The test double's proxy information (see the module docs); 404 without a connection.
pub(crate) async fn check(state: &AppState) -> Result<EkmProxyInfo, ApiError> {
    get(state).await?;
    Ok(EkmProxyInfo {
        api_version: "1.0.0".into(),
        proxy_vendor: TEST_DOUBLE_VENDOR.into(),
        proxy_name: format!("kv-emulator EKM test double {}", env!("CARGO_PKG_VERSION")),
        ekm_vendor: TEST_DOUBLE_VENDOR.into(),
        ekm_product: "kv-emulator in-process AES key store".into(),
    })
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

/// The client certificate the emulator would present to an EKM proxy.
pub(crate) fn client_certificate() -> Result<EkmProxyClientCertificateInfo, ApiError> {
    Ok(EkmProxyClientCertificateInfo {
        ca_certificates: vec![client_ca()?.clone()],
        subject_common_name: CLIENT_SUBJECT.into(),
    })
}
