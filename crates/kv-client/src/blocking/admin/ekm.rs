//! The blocking [`KeyVaultEkmClient`]: each method forwards to
//! [`crate::admin::KeyVaultEkmClient`].

use crate::admin::{
    KeyVaultEkmClientOptions, KeyVaultEkmConnection, KeyVaultEkmProxyClientCertificateInfo,
    KeyVaultEkmProxyInfo,
};
use crate::blocking::runtime::Executor;
use crate::error::Result;

/// Blocking Managed HSM External Key Manager connection: the methods of
/// [`admin::KeyVaultEkmClient`](crate::admin::KeyVaultEkmClient), with the same names,
/// options and errors, returning instead of awaiting.
///
/// Cheap to clone; clones share the pipeline and the runtime thread.
///
/// # Errors
/// As the async method of the same name; every method also returns `NotSupported` when
/// called from inside an async runtime (see [`blocking`](crate::blocking)).
#[derive(Clone, Debug)]
pub struct KeyVaultEkmClient {
    inner: crate::admin::KeyVaultEkmClient,
    executor: Executor,
}

impl KeyVaultEkmClient {
    super::blocking_admin_members!(KeyVaultEkmClient, KeyVaultEkmClientOptions);

    /// See [`admin::KeyVaultEkmClient::get_ekm_connection`](crate::admin::KeyVaultEkmClient::get_ekm_connection).
    ///
    /// # Errors
    /// See [`KeyVaultEkmClient`].
    pub fn get_ekm_connection(&self) -> Result<KeyVaultEkmConnection> {
        self.executor.block_on(self.inner.get_ekm_connection())
    }

    /// See [`admin::KeyVaultEkmClient::create_ekm_connection`](crate::admin::KeyVaultEkmClient::create_ekm_connection).
    ///
    /// # Errors
    /// See [`KeyVaultEkmClient`].
    pub fn create_ekm_connection(
        &self,
        connection: &KeyVaultEkmConnection,
    ) -> Result<KeyVaultEkmConnection> {
        self.executor
            .block_on(self.inner.create_ekm_connection(connection))
    }

    /// See [`admin::KeyVaultEkmClient::update_ekm_connection`](crate::admin::KeyVaultEkmClient::update_ekm_connection).
    ///
    /// # Errors
    /// See [`KeyVaultEkmClient`].
    pub fn update_ekm_connection(
        &self,
        connection: &KeyVaultEkmConnection,
    ) -> Result<KeyVaultEkmConnection> {
        self.executor
            .block_on(self.inner.update_ekm_connection(connection))
    }

    /// See [`admin::KeyVaultEkmClient::delete_ekm_connection`](crate::admin::KeyVaultEkmClient::delete_ekm_connection).
    ///
    /// # Errors
    /// See [`KeyVaultEkmClient`].
    pub fn delete_ekm_connection(&self) -> Result<KeyVaultEkmConnection> {
        self.executor.block_on(self.inner.delete_ekm_connection())
    }

    /// See [`admin::KeyVaultEkmClient::check_ekm_connection`](crate::admin::KeyVaultEkmClient::check_ekm_connection).
    ///
    /// # Errors
    /// See [`KeyVaultEkmClient`].
    pub fn check_ekm_connection(&self) -> Result<KeyVaultEkmProxyInfo> {
        self.executor.block_on(self.inner.check_ekm_connection())
    }

    /// See [`admin::KeyVaultEkmClient::get_ekm_certificate`](crate::admin::KeyVaultEkmClient::get_ekm_certificate).
    ///
    /// # Errors
    /// See [`KeyVaultEkmClient`].
    pub fn get_ekm_certificate(&self) -> Result<KeyVaultEkmProxyClientCertificateInfo> {
        self.executor.block_on(self.inner.get_ekm_certificate())
    }
}
