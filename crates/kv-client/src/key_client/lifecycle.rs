//! Lifecycle operations of [`KeyClient`]: delete, recover, purge, backup, restore, rotate,
//! rotation policy, random bytes, release and attestation.

use kv_core::{ContinuationToken, Method, PollStep, Poller, PollerOptions};
use kv_protocol::{
    BackupKeyResult, DeletedKeyBundle, GetRandomBytesRequest, KeyBundle, KeyReleaseParameters,
    KeyReleaseResult, KeyRestoreParameters, RandomBytes,
};
use zeroize::Zeroizing;

use super::KeyClient;
use crate::error::{ErrorKind, Result, decode, invalid_argument};
use crate::identifier::check_key_name;
use crate::models::{DeletedKey, KeyRotationPolicy, KeyVaultKey, ReleaseKeyResult};
use crate::options::{GetKeyOptions, ReleaseKeyOptions};

/// Continuation-token prefixes: the token is the prefix and the key name.
const DELETE: &str = "delete:";
const RECOVER: &str = "recover:";

fn token_name<'a>(token: &'a ContinuationToken, prefix: &str) -> Result<&'a str> {
    let name = token
        .as_str()
        .strip_prefix(prefix)
        .ok_or_else(|| invalid_argument(format!("not a `{prefix}` continuation token")))?;
    check_key_name(name)?;
    Ok(name)
}

impl KeyClient {
    /// Deletes key `name` (every version). The request is sent before this returns; the
    /// [`Poller`] then waits until the deleted key is visible in `deletedkeys` (at once on a
    /// vault without soft delete). Await it for the [`DeletedKey`].
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name; the service's errors (`ResourceNotFound`).
    #[doc(alias = "begin_delete_key")]
    #[tracing::instrument(name = "KeyClient::delete_key", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn delete_key(
        &self,
        name: &str,
        options: Option<PollerOptions>,
    ) -> Result<Poller<DeletedKey>> {
        check_key_name(name)?;
        let bundle: DeletedKeyBundle = self
            .endpoint
            .send_json(
                Method::DELETE,
                self.endpoint.url(&["keys", name]),
                None::<&()>,
            )
            .await?;
        let deleted = DeletedKey::try_from(bundle)?;
        if deleted.recovery_id.is_none() {
            // No soft delete: the key is gone already, there is nothing to wait for.
            let done = deleted.clone();
            let token = ContinuationToken::new(format!("{DELETE}{name}"));
            return Ok(Poller::new(token, options.unwrap_or_default(), move |_| {
                let done = done.clone();
                async move { Ok(PollStep::succeeded(done)) }
            }));
        }
        Ok(self.delete_poller(name, Some(deleted), options))
    }

    /// Resumes waiting for a delete from the token of its [`Poller`]
    /// ([`Poller::continuation_token`]), in this process or another.
    ///
    /// # Errors
    /// `InvalidArgument` for a token that is not a delete token of this client.
    pub fn resume_delete_key(
        &self,
        token: &ContinuationToken,
        options: Option<PollerOptions>,
    ) -> Result<Poller<DeletedKey>> {
        let name = token_name(token, DELETE)?;
        Ok(self.delete_poller(name, None, options))
    }

    /// Polls `deletedkeys/{name}` until it exists. `fallback` is the delete's own answer,
    /// used when the caller may not read deleted keys (403).
    fn delete_poller(
        &self,
        name: &str,
        fallback: Option<DeletedKey>,
        options: Option<PollerOptions>,
    ) -> Poller<DeletedKey> {
        let client = self.clone();
        let name = name.to_owned();
        let token = ContinuationToken::new(format!("{DELETE}{name}"));
        Poller::new(token, options.unwrap_or_default(), move |_| {
            let client = client.clone();
            let name = name.clone();
            let fallback = fallback.clone();
            async move {
                match client.get_deleted_key(&name).await {
                    Ok(d) => Ok(PollStep::succeeded(d)),
                    Err(e) if e.kind() == &ErrorKind::ResourceNotFound => {
                        Ok(PollStep::in_progress())
                    }
                    // Without the permission to read deleted keys the delete itself succeeded.
                    Err(e) if e.kind() == &ErrorKind::Forbidden => match fallback {
                        Some(d) => Ok(PollStep::succeeded(d)),
                        None => Err(e),
                    },
                    Err(e) => Err(e),
                }
            }
        })
    }

    /// Gets a deleted key.
    ///
    /// # Errors
    /// `ResourceNotFound` when no deleted key has that name.
    #[tracing::instrument(name = "KeyClient::get_deleted_key", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn get_deleted_key(&self, name: &str) -> Result<DeletedKey> {
        check_key_name(name)?;
        let bundle: DeletedKeyBundle = self
            .endpoint
            .get_json(self.endpoint.url(&["deletedkeys", name]))
            .await?;
        DeletedKey::try_from(bundle)
    }

    /// Recovers deleted key `name`. The request is sent before this returns; the [`Poller`]
    /// waits until the key is readable again. Await it for the [`KeyVaultKey`].
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name; the service's errors.
    #[doc(alias = "begin_recover_deleted_key")]
    #[tracing::instrument(name = "KeyClient::recover_deleted_key", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn recover_deleted_key(
        &self,
        name: &str,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultKey>> {
        check_key_name(name)?;
        let bundle: KeyBundle = self
            .endpoint
            .send_json(
                Method::POST,
                self.endpoint.url(&["deletedkeys", name, "recover"]),
                None::<&()>,
            )
            .await?;
        let recovered = KeyVaultKey::try_from(bundle)?;
        Ok(self.recover_poller(name, Some(recovered), options))
    }

    /// Resumes waiting for a recovery from the token of its [`Poller`].
    ///
    /// # Errors
    /// `InvalidArgument` for a token that is not a recover token of this client.
    pub fn resume_recover_deleted_key(
        &self,
        token: &ContinuationToken,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultKey>> {
        let name = token_name(token, RECOVER)?;
        Ok(self.recover_poller(name, None, options))
    }

    /// Polls `keys/{name}` until it is readable. `fallback` is the recover's own answer,
    /// used when the caller may not read keys (403).
    fn recover_poller(
        &self,
        name: &str,
        fallback: Option<KeyVaultKey>,
        options: Option<PollerOptions>,
    ) -> Poller<KeyVaultKey> {
        let client = self.clone();
        let name = name.to_owned();
        let token = ContinuationToken::new(format!("{RECOVER}{name}"));
        Poller::new(token, options.unwrap_or_default(), move |_| {
            let client = client.clone();
            let name = name.clone();
            let fallback = fallback.clone();
            async move {
                match client.get_key(&name, None).await {
                    Ok(key) => Ok(PollStep::succeeded(key)),
                    Err(e) if e.kind() == &ErrorKind::ResourceNotFound => {
                        Ok(PollStep::in_progress())
                    }
                    Err(e) if e.kind() == &ErrorKind::Forbidden => match fallback {
                        Some(key) => Ok(PollStep::succeeded(key)),
                        None => Err(e),
                    },
                    Err(e) => Err(e),
                }
            }
        })
    }

    /// Permanently deletes a deleted key.
    ///
    /// # Errors
    /// `ResourceNotFound`, or `Forbidden` when purge protection is on.
    #[tracing::instrument(name = "KeyClient::purge_deleted_key", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn purge_deleted_key(&self, name: &str) -> Result<()> {
        check_key_name(name)?;
        self.endpoint
            .send(
                Method::DELETE,
                self.endpoint.url(["deletedkeys", name]),
                None::<&()>,
            )
            .await?;
        Ok(())
    }

    /// Backs up key `name` (every version) as a blob only Key Vault can read.
    ///
    /// # Errors
    /// `ResourceNotFound`; `Decode` when the answer has no blob.
    #[tracing::instrument(name = "KeyClient::backup_key", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn backup_key(&self, name: &str) -> Result<Vec<u8>> {
        check_key_name(name)?;
        let result: BackupKeyResult = self
            .endpoint
            .send_json(
                Method::POST,
                self.endpoint.url(&["keys", name, "backup"]),
                None::<&()>,
            )
            .await?;
        result
            .value
            .ok_or_else(|| decode("backup_key: the service answered without a backup blob"))
    }

    /// Restores a key from a [`KeyClient::backup_key`] blob.
    ///
    /// # Errors
    /// `Conflict` when the name is taken; the service's errors.
    #[doc(alias = "restore_key_backup")]
    #[tracing::instrument(name = "KeyClient::restore_key", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn restore_key(&self, backup: &[u8]) -> Result<KeyVaultKey> {
        if backup.is_empty() {
            return Err(invalid_argument("backup blob must not be empty"));
        }
        let body = KeyRestoreParameters {
            key_bundle_backup: backup.to_vec(),
        };
        let bundle: KeyBundle = self
            .endpoint
            .send_json(
                Method::POST,
                self.endpoint.url(&["keys", "restore"]),
                Some(&body),
            )
            .await?;
        KeyVaultKey::try_from(bundle)
    }

    /// Creates a new version of key `name` following its rotation policy.
    ///
    /// # Errors
    /// The service's errors.
    #[tracing::instrument(name = "KeyClient::rotate_key", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn rotate_key(&self, name: &str) -> Result<KeyVaultKey> {
        check_key_name(name)?;
        let bundle: KeyBundle = self
            .endpoint
            .send_json(
                Method::POST,
                self.endpoint.url(&["keys", name, "rotate"]),
                None::<&()>,
            )
            .await?;
        KeyVaultKey::try_from(bundle)
    }

    /// Gets the rotation policy of key `name`.
    ///
    /// # Errors
    /// The service's errors.
    #[tracing::instrument(name = "KeyClient::get_key_rotation_policy", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn get_key_rotation_policy(&self, name: &str) -> Result<KeyRotationPolicy> {
        check_key_name(name)?;
        let policy: kv_protocol::KeyRotationPolicy = self
            .endpoint
            .get_json(self.endpoint.url(&["keys", name, "rotationpolicy"]))
            .await?;
        KeyRotationPolicy::try_from(policy)
    }

    /// Replaces the rotation policy of key `name`.
    ///
    /// # Errors
    /// `BadRequest` for a policy the service rejects; the service's errors.
    #[tracing::instrument(name = "KeyClient::update_key_rotation_policy", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn update_key_rotation_policy(
        &self,
        name: &str,
        policy: &KeyRotationPolicy,
    ) -> Result<KeyRotationPolicy> {
        check_key_name(name)?;
        let body = kv_protocol::KeyRotationPolicy::from(policy);
        let answer: kv_protocol::KeyRotationPolicy = self
            .endpoint
            .send_json(
                Method::PUT,
                self.endpoint.url(&["keys", name, "rotationpolicy"]),
                Some(&body),
            )
            .await?;
        KeyRotationPolicy::try_from(answer)
    }

    /// Gets `count` (1 to 128) random bytes from the HSM, in a zeroizing buffer.
    ///
    /// # Errors
    /// `InvalidArgument` for a count outside 1..=128; the service's errors.
    #[tracing::instrument(name = "KeyClient::get_random_bytes", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn get_random_bytes(&self, count: u32) -> Result<Zeroizing<Vec<u8>>> {
        let body = GetRandomBytesRequest { count };
        if !body.is_valid() {
            return Err(invalid_argument("count must be between 1 and 128"));
        }
        let answer: RandomBytes = self
            .endpoint
            .send_json(Method::POST, self.endpoint.url(&["rng"]), Some(&body))
            .await?;
        Ok(answer.value.into_zeroizing())
    }

    /// Releases exportable key `name` to the holder of `target_attestation_token`.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name or an empty token; the service's errors.
    #[doc(alias = "release_key")]
    #[tracing::instrument(name = "KeyClient::release", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn release(
        &self,
        name: &str,
        target_attestation_token: &str,
        options: Option<ReleaseKeyOptions>,
    ) -> Result<ReleaseKeyResult> {
        check_key_name(name)?;
        if target_attestation_token.is_empty() {
            return Err(invalid_argument(
                "target attestation token must not be empty",
            ));
        }
        let options = options.unwrap_or_default();
        let body = KeyReleaseParameters {
            target: target_attestation_token.to_owned(),
            nonce: options.nonce,
            enc: options.algorithm,
        };
        let url = self.endpoint.url(&[
            "keys",
            name,
            options.version.as_deref().unwrap_or(""),
            "release",
        ]);
        let answer: KeyReleaseResult = self
            .endpoint
            .send_json(Method::POST, url, Some(&body))
            .await?;
        let value = answer
            .value
            .ok_or_else(|| decode("release: the service answered without a value"))?;
        Ok(ReleaseKeyResult { value })
    }

    /// Gets key `name` with its attestation blobs (Managed HSM).
    ///
    /// # Errors
    /// The service's errors.
    #[tracing::instrument(name = "KeyClient::get_key_attestation", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn get_key_attestation(
        &self,
        name: &str,
        options: Option<GetKeyOptions>,
    ) -> Result<KeyVaultKey> {
        check_key_name(name)?;
        let version = options.unwrap_or_default().version;
        let url = self.endpoint.url(&[
            "keys",
            name,
            version.as_deref().unwrap_or(""),
            "attestation",
        ]);
        let bundle: KeyBundle = self.endpoint.get_json(url).await?;
        KeyVaultKey::try_from(bundle)
    }
}
