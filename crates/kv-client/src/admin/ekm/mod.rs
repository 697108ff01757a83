//! [`KeyVaultEkmClient`]: the External Key Manager (EKM) connection of a Managed HSM
//! (api-version 2026-01-01-preview and later; stable in 2026-04-01).
//!
//! With an EKM connection, keys created with
//! [`KeyClient::create_external_key`](crate::KeyClient::create_external_key) refer to key
//! material held in an external HSM behind the EKM proxy. Managing the connection needs
//! the "Managed HSM EKM Administrator" role (`ekm/read`, `ekm/write`, `ekm/delete`).

use kv_core::{Endpoint, Method};

use super::endpoint::endpoint_members;
use crate::error::Result;
use crate::key_client::require_api_version;

mod private_endpoint;

/// How the EKM proxy is reached: `Public` (the default) or `PrivateEndpoint` (then the
/// connection's `host` names one of the HSM's private endpoints).
pub use kv_protocol::EkmConnectivityMode as KeyVaultEkmConnectivityMode;
/// The body of [`KeyVaultEkmClient::create_ekm_private_endpoint`].
pub use kv_protocol::EkmPrivateEndpointCreateParameters as KeyVaultEkmPrivateEndpointCreateParameters;
pub use private_endpoint::{KeyVaultEkmPrivateEndpoint, KeyVaultEkmPrivateEndpointOperation};

/// The EKM connection: the proxy's host, optional path prefix, and the CA certificates
/// (DER) that issued the proxy's server certificate.
pub use kv_protocol::EkmConnection as KeyVaultEkmConnection;
/// The client certificate information the HSM presents to the proxy.
pub use kv_protocol::EkmProxyClientCertificateInfo as KeyVaultEkmProxyClientCertificateInfo;
/// What the EKM proxy reports about itself and the external key manager.
pub use kv_protocol::EkmProxyInfo as KeyVaultEkmProxyInfo;

/// Options of [`KeyVaultEkmClient::new`].
#[derive(Clone, Debug)]
pub struct KeyVaultEkmClientOptions {
    /// Pipeline options, as for the other clients. The default `api_version` here is
    /// 2026-04-01 (the first stable version with the EKM operations), not the crate-wide
    /// 2025-07-01.
    pub client_options: kv_core::ClientOptions,
}

impl Default for KeyVaultEkmClientOptions {
    fn default() -> Self {
        Self {
            client_options: kv_core::ClientOptions {
                api_version: kv_core::ApiVersion::NEWEST_STABLE,
                ..Default::default()
            },
        }
    }
}

/// A client for the External Key Manager connection of one Managed HSM.
///
/// Cheap to clone: clones share the pipeline.
///
/// ```no_run
/// # async fn demo(ca_der: Vec<u8>) -> kv_client::Result<()> {
/// use std::sync::Arc;
/// use kv_client::StaticTokenCredential;
/// use kv_client::admin::{KeyVaultEkmClient, KeyVaultEkmConnection};
///
/// let client = KeyVaultEkmClient::new(
///     "https://myhsm.managedhsm.azure.net",
///     Arc::new(StaticTokenCredential::new("token")),
///     None,
/// )?;
/// let connection = KeyVaultEkmConnection {
///     host: "ekm-proxy.contoso.com".into(),
///     path_prefix: Some("/api/v1".into()),
///     server_ca_certificates: vec![ca_der],
///     ..Default::default()
/// };
/// client.create_ekm_connection(&connection).await?;
/// let proxy = client.check_ekm_connection().await?;
/// println!("{} {}", proxy.proxy_vendor, proxy.proxy_name);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct KeyVaultEkmClient {
    endpoint: Endpoint,
}

impl KeyVaultEkmClient {
    endpoint_members!(KeyVaultEkmClientOptions, "KeyVaultEkmClient::send_request");

    fn check_version(&self, operation: &str) -> Result<()> {
        require_api_version(self.pipeline().api_version(), operation)
    }

    /// Gets the EKM connection.
    ///
    /// # Errors
    /// `InvalidArgument` at an api-version older than 2026-01-01-preview;
    /// `ResourceNotFound` when no connection is configured; the service's errors.
    pub async fn get_ekm_connection(&self) -> Result<KeyVaultEkmConnection> {
        self.check_version("get_ekm_connection")?;
        self.endpoint.get_json(self.endpoint.url(["ekm"])).await
    }

    /// Creates the EKM connection; fails when one exists.
    ///
    /// # Errors
    /// `InvalidArgument` at an api-version older than 2026-01-01-preview; the service's
    /// errors: `BadRequest` with code `NotSupported` when a connection exists (the service
    /// answers 400, "EKM connection is already setup"), `BadRequest` for an invalid host.
    pub async fn create_ekm_connection(
        &self,
        connection: &KeyVaultEkmConnection,
    ) -> Result<KeyVaultEkmConnection> {
        self.check_version("create_ekm_connection")?;
        let url = self.endpoint.url(["ekm", "create"]);
        self.endpoint
            .send_json(Method::POST, url, Some(connection))
            .await
    }

    /// Replaces the existing EKM connection.
    ///
    /// # Errors
    /// `InvalidArgument` at an api-version older than 2026-01-01-preview;
    /// `ResourceNotFound` when no connection is configured; the service's errors.
    pub async fn update_ekm_connection(
        &self,
        connection: &KeyVaultEkmConnection,
    ) -> Result<KeyVaultEkmConnection> {
        self.check_version("update_ekm_connection")?;
        let url = self.endpoint.url(["ekm"]);
        self.endpoint
            .send_json(Method::PATCH, url, Some(connection))
            .await
    }

    /// Deletes the EKM connection and returns it.
    ///
    /// # Errors
    /// `InvalidArgument` at an api-version older than 2026-01-01-preview;
    /// `ResourceNotFound` when no connection is configured; the service's errors.
    pub async fn delete_ekm_connection(&self) -> Result<KeyVaultEkmConnection> {
        self.check_version("delete_ekm_connection")?;
        let url = self.endpoint.url(["ekm"]);
        self.endpoint
            .send_json(Method::DELETE, url, None::<&()>)
            .await
    }

    /// Checks that the HSM reaches and authenticates to the EKM proxy, and returns what
    /// the proxy reports.
    ///
    /// # Errors
    /// `InvalidArgument` at an api-version older than 2026-01-01-preview; the service's
    /// errors (the proxy unreachable, no connection configured).
    pub async fn check_ekm_connection(&self) -> Result<KeyVaultEkmProxyInfo> {
        self.check_version("check_ekm_connection")?;
        let url = self.endpoint.url(["ekm", "check"]);
        self.endpoint
            .send_json(Method::POST, url, None::<&()>)
            .await
    }

    /// Gets the client certificate information the HSM presents to the proxy (to trust
    /// in the proxy's mTLS configuration).
    ///
    /// # Errors
    /// `InvalidArgument` at an api-version older than 2026-01-01-preview; the service's
    /// errors.
    pub async fn get_ekm_certificate(&self) -> Result<KeyVaultEkmProxyClientCertificateInfo> {
        self.check_version("get_ekm_certificate")?;
        self.endpoint
            .get_json(self.endpoint.url(["ekm", "certificate"]))
            .await
    }
}

#[cfg(test)]
mod tests;
