//! The blocking [`KeyClient`]: each method forwards to [`crate::KeyClient`].

use std::sync::Arc;

use kv_core::{ContinuationToken, PollerOptions, Request, Response, TokenCredential};
use kv_jwk::{JsonWebKey, KeyType};
use url::Url;
use zeroize::Zeroizing;

use super::runtime::Executor;
use super::{CryptographyClient, Pager, Poller};
use crate::error::Result;
use crate::models::{
    DeletedKey, DeletedKeyProperties, KeyProperties, KeyRotationPolicy, KeyVaultKey,
    ReleaseKeyResult,
};
use crate::options::{
    CreateKeyOptions, GetKeyOptions, ImportKeyOptions, KeyClientOptions, ListOptions,
    ReleaseKeyOptions, UpdateKeyPropertiesOptions,
};

/// A blocking client for the keys of one Key Vault or Managed HSM: the methods of
/// [`kv_client::KeyClient`](crate::KeyClient), with the same names, options and errors,
/// returning instead of awaiting.
///
/// Cheap to clone: clones share the pipeline and the runtime thread, which stops when the
/// last clone (or [`CryptographyClient`], [`Pager`] or [`Poller`] made from it) is dropped.
///
/// # Errors
/// As the async method of the same name; every method also returns `NotSupported` when
/// called from inside an async runtime (see [`blocking`](super)).
///
/// ```no_run
/// # fn demo() -> kv_client::Result<()> {
/// use std::sync::Arc;
/// use kv_client::StaticTokenCredential;
/// use kv_client::blocking::KeyClient;
/// let client = KeyClient::new(
///     "https://myvault.vault.azure.net",
///     Arc::new(StaticTokenCredential::new("token")),
///     None,
/// )?;
/// let key = client.create_ec_key("signing-key", None)?;
/// for properties in client.list_key_properties(None) {
///     println!("{}", properties?.name());
/// }
/// # let _ = key; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct KeyClient {
    inner: crate::KeyClient,
    executor: Executor,
}

impl KeyClient {
    /// A client for the vault at `vault_url`, with its own runtime thread; see
    /// [`kv_client::KeyClient::new`](crate::KeyClient::new).
    ///
    /// # Errors
    /// As the async constructor; `Transport` when the runtime thread cannot start.
    pub fn new(
        vault_url: &str,
        credential: Arc<dyn TokenCredential>,
        options: Option<KeyClientOptions>,
    ) -> Result<Self> {
        let (inner, executor) =
            Executor::start(|| crate::KeyClient::new(vault_url, credential, options))?;
        Ok(Self { inner, executor })
    }

    /// The async client and the executor, for the other blocking wrappers.
    pub(crate) fn parts(&self) -> (&crate::KeyClient, &Executor) {
        (&self.inner, &self.executor)
    }

    /// The vault URL.
    pub fn vault_url(&self) -> &Url {
        self.inner.vault_url()
    }

    /// See [`kv_client::KeyClient::create_key`](crate::KeyClient::create_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn create_key(
        &self,
        name: &str,
        key_type: KeyType,
        options: Option<CreateKeyOptions>,
    ) -> Result<KeyVaultKey> {
        self.executor
            .block_on(self.inner.create_key(name, key_type, options))
    }

    /// See [`kv_client::KeyClient::create_rsa_key`](crate::KeyClient::create_rsa_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn create_rsa_key(
        &self,
        name: &str,
        options: Option<CreateKeyOptions>,
    ) -> Result<KeyVaultKey> {
        self.executor
            .block_on(self.inner.create_rsa_key(name, options))
    }

    /// See [`kv_client::KeyClient::create_ec_key`](crate::KeyClient::create_ec_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn create_ec_key(
        &self,
        name: &str,
        options: Option<CreateKeyOptions>,
    ) -> Result<KeyVaultKey> {
        self.executor
            .block_on(self.inner.create_ec_key(name, options))
    }

    /// See [`kv_client::KeyClient::create_oct_key`](crate::KeyClient::create_oct_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn create_oct_key(
        &self,
        name: &str,
        options: Option<CreateKeyOptions>,
    ) -> Result<KeyVaultKey> {
        self.executor
            .block_on(self.inner.create_oct_key(name, options))
    }

    /// See [`kv_client::KeyClient::import_key`](crate::KeyClient::import_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn import_key(
        &self,
        name: &str,
        key: &JsonWebKey,
        options: Option<ImportKeyOptions>,
    ) -> Result<KeyVaultKey> {
        self.executor
            .block_on(self.inner.import_key(name, key, options))
    }

    /// See [`kv_client::KeyClient::get_key`](crate::KeyClient::get_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn get_key(&self, name: &str, options: Option<GetKeyOptions>) -> Result<KeyVaultKey> {
        self.executor.block_on(self.inner.get_key(name, options))
    }

    /// See [`kv_client::KeyClient::list_key_properties`](crate::KeyClient::list_key_properties).
    /// Nothing is fetched until the first item is asked for.
    #[doc(alias = "list_properties_of_keys")]
    pub fn list_key_properties(&self, options: Option<ListOptions>) -> Pager<KeyProperties> {
        Pager::new(
            self.inner.list_key_properties(options),
            self.executor.clone(),
        )
    }

    /// See [`kv_client::KeyClient::list_key_properties_versions`](crate::KeyClient::list_key_properties_versions).
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name.
    #[doc(alias = "list_properties_of_key_versions")]
    pub fn list_key_properties_versions(
        &self,
        name: &str,
        options: Option<ListOptions>,
    ) -> Result<Pager<KeyProperties>> {
        let pager = self.inner.list_key_properties_versions(name, options)?;
        Ok(Pager::new(pager, self.executor.clone()))
    }

    /// See [`kv_client::KeyClient::list_deleted_key_properties`](crate::KeyClient::list_deleted_key_properties).
    #[doc(alias = "list_deleted_keys")]
    pub fn list_deleted_key_properties(
        &self,
        options: Option<ListOptions>,
    ) -> Pager<DeletedKeyProperties> {
        Pager::new(
            self.inner.list_deleted_key_properties(options),
            self.executor.clone(),
        )
    }

    /// See [`kv_client::KeyClient::update_key_properties`](crate::KeyClient::update_key_properties).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn update_key_properties(
        &self,
        name: &str,
        options: Option<UpdateKeyPropertiesOptions>,
    ) -> Result<KeyVaultKey> {
        self.executor
            .block_on(self.inner.update_key_properties(name, options))
    }

    /// A blocking [`CryptographyClient`] for key `name` that shares this client's pipeline
    /// and runtime thread; see
    /// [`kv_client::KeyClient::get_cryptography_client`](crate::KeyClient::get_cryptography_client).
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name or version.
    pub fn get_cryptography_client(
        &self,
        name: &str,
        options: Option<GetKeyOptions>,
    ) -> Result<CryptographyClient> {
        let inner = self.inner.get_cryptography_client(name, options)?;
        Ok(CryptographyClient::from_parts(inner, self.executor.clone()))
    }

    /// See [`kv_client::KeyClient::send_request`](crate::KeyClient::send_request).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn send_request(&self, request: Request) -> Result<Response> {
        self.executor.block_on(self.inner.send_request(request))
    }

    /// Deletes key `name`; the request is sent before this returns, and the [`Poller`]
    /// waits until the deletion is complete. See
    /// [`kv_client::KeyClient::delete_key`](crate::KeyClient::delete_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    #[doc(alias = "begin_delete_key")]
    pub fn delete_key(
        &self,
        name: &str,
        options: Option<PollerOptions>,
    ) -> Result<Poller<DeletedKey>> {
        Poller::started(
            self.executor.block_on(self.inner.delete_key(name, options)),
            &self.executor,
        )
    }

    /// See [`kv_client::KeyClient::resume_delete_key`](crate::KeyClient::resume_delete_key).
    ///
    /// # Errors
    /// `InvalidArgument` for a token that is not a delete token of this client.
    pub fn resume_delete_key(
        &self,
        token: &ContinuationToken,
        options: Option<PollerOptions>,
    ) -> Result<Poller<DeletedKey>> {
        Poller::started(self.inner.resume_delete_key(token, options), &self.executor)
    }

    /// See [`kv_client::KeyClient::get_deleted_key`](crate::KeyClient::get_deleted_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn get_deleted_key(&self, name: &str) -> Result<DeletedKey> {
        self.executor.block_on(self.inner.get_deleted_key(name))
    }

    /// Recovers deleted key `name`; see
    /// [`kv_client::KeyClient::recover_deleted_key`](crate::KeyClient::recover_deleted_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    #[doc(alias = "begin_recover_deleted_key")]
    pub fn recover_deleted_key(
        &self,
        name: &str,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultKey>> {
        Poller::started(
            self.executor
                .block_on(self.inner.recover_deleted_key(name, options)),
            &self.executor,
        )
    }

    /// See [`kv_client::KeyClient::resume_recover_deleted_key`](crate::KeyClient::resume_recover_deleted_key).
    ///
    /// # Errors
    /// `InvalidArgument` for a token that is not a recover token of this client.
    pub fn resume_recover_deleted_key(
        &self,
        token: &ContinuationToken,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultKey>> {
        Poller::started(
            self.inner.resume_recover_deleted_key(token, options),
            &self.executor,
        )
    }

    /// See [`kv_client::KeyClient::purge_deleted_key`](crate::KeyClient::purge_deleted_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn purge_deleted_key(&self, name: &str) -> Result<()> {
        self.executor.block_on(self.inner.purge_deleted_key(name))
    }

    /// See [`kv_client::KeyClient::backup_key`](crate::KeyClient::backup_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn backup_key(&self, name: &str) -> Result<Vec<u8>> {
        self.executor.block_on(self.inner.backup_key(name))
    }

    /// See [`kv_client::KeyClient::restore_key`](crate::KeyClient::restore_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    #[doc(alias = "restore_key_backup")]
    pub fn restore_key(&self, backup: &[u8]) -> Result<KeyVaultKey> {
        self.executor.block_on(self.inner.restore_key(backup))
    }

    /// See [`kv_client::KeyClient::rotate_key`](crate::KeyClient::rotate_key).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn rotate_key(&self, name: &str) -> Result<KeyVaultKey> {
        self.executor.block_on(self.inner.rotate_key(name))
    }

    /// See [`kv_client::KeyClient::get_key_rotation_policy`](crate::KeyClient::get_key_rotation_policy).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn get_key_rotation_policy(&self, name: &str) -> Result<KeyRotationPolicy> {
        self.executor
            .block_on(self.inner.get_key_rotation_policy(name))
    }

    /// See [`kv_client::KeyClient::update_key_rotation_policy`](crate::KeyClient::update_key_rotation_policy).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn update_key_rotation_policy(
        &self,
        name: &str,
        policy: &KeyRotationPolicy,
    ) -> Result<KeyRotationPolicy> {
        self.executor
            .block_on(self.inner.update_key_rotation_policy(name, policy))
    }

    /// See [`kv_client::KeyClient::get_random_bytes`](crate::KeyClient::get_random_bytes).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn get_random_bytes(&self, count: u32) -> Result<Zeroizing<Vec<u8>>> {
        self.executor.block_on(self.inner.get_random_bytes(count))
    }

    /// See [`kv_client::KeyClient::release`](crate::KeyClient::release).
    ///
    /// # Errors
    /// See [`KeyClient`].
    #[doc(alias = "release_key")]
    pub fn release(
        &self,
        name: &str,
        target_attestation_token: &str,
        options: Option<ReleaseKeyOptions>,
    ) -> Result<ReleaseKeyResult> {
        self.executor
            .block_on(self.inner.release(name, target_attestation_token, options))
    }

    /// See [`kv_client::KeyClient::get_key_attestation`](crate::KeyClient::get_key_attestation).
    ///
    /// # Errors
    /// See [`KeyClient`].
    pub fn get_key_attestation(
        &self,
        name: &str,
        options: Option<GetKeyOptions>,
    ) -> Result<KeyVaultKey> {
        self.executor
            .block_on(self.inner.get_key_attestation(name, options))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handed_out_clients_share_the_runtime_and_bad_names_fail_before_io() {
        let c = KeyClient::new(
            "https://v.vault.azure.net",
            Arc::new(kv_core::StaticTokenCredential::new("t")),
            None,
        )
        .unwrap();
        let (_, executor) = c.parts();
        let crypto = c.get_cryptography_client("k", None).unwrap();
        let (_, crypto_executor) = crypto.into_parts();
        assert!(executor.shares_runtime_with(&crypto_executor));
        assert!(executor.shares_runtime_with(c.clone().parts().1));
        let other = KeyClient::new(
            "https://v.vault.azure.net",
            Arc::new(kv_core::StaticTokenCredential::new("t")),
            None,
        )
        .unwrap();
        assert!(!executor.shares_runtime_with(other.parts().1));
        let err = c.get_key("bad name!", None).unwrap_err();
        assert_eq!(err.kind(), &crate::ErrorKind::InvalidArgument);
    }
}
