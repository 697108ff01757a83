//! The 2026 keys operations of the blocking [`KeyClient`]: each forwards to
//! [`crate::KeyClient`].

use kv_jwk::KeyWrapAlgorithm;

use super::KeyClient;
use crate::error::Result;
use crate::{CreateExternalKeyOptions, KeyVaultKey, SecureUnwrapResult, SecureWrapResult};

impl KeyClient {
    /// See [`kv_client::KeyClient::secure_wrap_key`](crate::KeyClient::secure_wrap_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn secure_wrap_key(
        &self,
        name: &str,
        version: Option<&str>,
        algorithm: KeyWrapAlgorithm,
    ) -> Result<SecureWrapResult> {
        let (inner, executor) = self.parts();
        executor.block_on(inner.secure_wrap_key(name, version, algorithm))
    }

    /// See [`kv_client::KeyClient::secure_unwrap_key`](crate::KeyClient::secure_unwrap_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn secure_unwrap_key(
        &self,
        name: &str,
        version: Option<&str>,
        algorithm: KeyWrapAlgorithm,
        wrapped_key: &[u8],
        target: &str,
    ) -> Result<SecureUnwrapResult> {
        let (inner, executor) = self.parts();
        executor.block_on(inner.secure_unwrap_key(name, version, algorithm, wrapped_key, target))
    }

    /// See [`kv_client::KeyClient::create_external_key`](crate::KeyClient::create_external_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn create_external_key(
        &self,
        name: &str,
        external_key_id: &str,
        options: Option<CreateExternalKeyOptions>,
    ) -> Result<KeyVaultKey> {
        let (inner, executor) = self.parts();
        executor.block_on(inner.create_external_key(name, external_key_id, options))
    }
}
