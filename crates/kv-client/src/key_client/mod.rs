//! [`KeyClient`]: every keys operation of the service.

use std::sync::Arc;

use kv_core::{Endpoint, Method, Pager, Pipeline, Request, Response, TokenCredential};
use kv_jwk::{JsonWebKey, KeyFamily, KeyType, SignatureAlgorithm};
use kv_protocol::{
    DeletedKeyItem, KeyAttributes, KeyBundle, KeyCreateParameters, KeyImportParameters, KeyItem,
    KeyUpdateParameters,
};
use serde::de::DeserializeOwned;
use url::Url;

mod lifecycle;
mod secure;

pub(crate) use secure::require_api_version;
pub use secure::{CreateExternalKeyOptions, SecureUnwrapResult, SecureWrapResult};

use crate::crypto_client::CryptographyClient;
use crate::error::{Error, Result, invalid_argument};
use crate::identifier::{KeyVaultKeyIdentifier, check_key_name, parse_vault_url};
use crate::models::key::to_unix;
use crate::models::{DeletedKeyProperties, KeyProperties, KeyVaultKey};
use crate::options::{
    CreateKeyOptions, CryptographyClientOptions, GetKeyOptions, ImportKeyOptions, KeyClientOptions,
    ListOptions, UpdateKeyPropertiesOptions,
};

/// A client for the keys of one Key Vault or Managed HSM.
///
/// Cheap to clone: clones share the pipeline (connections, token and challenge caches).
///
/// ```no_run
/// # async fn demo() -> kv_client::Result<()> {
/// use std::sync::Arc;
/// use kv_client::{CreateKeyOptions, KeyClient};
/// use kv_core::StaticTokenCredential;
/// let client = KeyClient::new(
///     "https://myvault.vault.azure.net",
///     Arc::new(StaticTokenCredential::new("token")),
///     None,
/// )?;
/// let key = client.create_ec_key("signing-key", None).await?;
/// println!("{}", key.id());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct KeyClient {
    endpoint: Endpoint,
    options: KeyClientOptions,
}

impl KeyClient {
    /// A client for the vault at `vault_url` (`https`, no path: any host, so Key Vault,
    /// Managed HSM and the emulator all work).
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid vault URL; the pipeline's errors (an extra CA
    /// certificate that is not PEM).
    pub fn new(
        vault_url: &str,
        credential: Arc<dyn TokenCredential>,
        options: Option<KeyClientOptions>,
    ) -> Result<Self> {
        let vault_url = parse_vault_url(vault_url)?;
        let options = options.unwrap_or_default();
        let pipeline = Pipeline::new(credential, options.client_options.clone())?;
        Ok(Self {
            endpoint: Endpoint::new(vault_url, pipeline)?,
            options,
        })
    }

    /// The vault URL.
    pub fn vault_url(&self) -> &Url {
        self.endpoint.vault_url()
    }

    /// The pipeline this client sends through.
    pub fn pipeline(&self) -> &Pipeline {
        self.endpoint.pipeline()
    }

    /// Creates a key of any type, or a new version if `name` exists.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name, or an option that does not fit `key_type`;
    /// the service's errors.
    #[tracing::instrument(name = "KeyClient::create_key", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn create_key(
        &self,
        name: &str,
        key_type: KeyType,
        options: Option<CreateKeyOptions>,
    ) -> Result<KeyVaultKey> {
        check_key_name(name)?;
        let options = options.unwrap_or_default();
        if let Some(family) = key_type.family() {
            check_create_options(family, &options)?;
        }
        if options.hardware_protected && !key_type.is_hsm() {
            return Err(invalid_argument(format!(
                "hardware_protected asks for an HSM key, but the key type is {key_type}"
            )));
        }
        let body = KeyCreateParameters {
            kty: key_type,
            key_size: options.key_size,
            public_exponent: options.public_exponent,
            key_ops: options.key_operations,
            attributes: attributes(
                options.enabled,
                options.not_before,
                options.expires_on,
                options.exportable,
            ),
            tags: options.tags,
            crv: options.curve,
            release_policy: options.release_policy,
            alg: options.algorithm,
        };
        let bundle: KeyBundle = self
            .endpoint
            .send_json(
                Method::POST,
                self.endpoint.url(&["keys", name, "create"]),
                Some(&body),
            )
            .await?;
        KeyVaultKey::try_from(bundle)
    }

    /// Creates an RSA key (`RSA-HSM` with `hardware_protected`).
    ///
    /// # Errors
    /// As [`KeyClient::create_key`]; `curve` is rejected.
    #[tracing::instrument(name = "KeyClient::create_rsa_key", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn create_rsa_key(
        &self,
        name: &str,
        options: Option<CreateKeyOptions>,
    ) -> Result<KeyVaultKey> {
        let options = options.unwrap_or_default();
        let kty = if options.hardware_protected {
            KeyType::RsaHsm
        } else {
            KeyType::Rsa
        };
        self.create_key(name, kty, Some(options)).await
    }

    /// Creates an elliptic-curve key (`EC-HSM` with `hardware_protected`).
    ///
    /// # Errors
    /// As [`KeyClient::create_key`]; `key_size` and `public_exponent` are rejected.
    #[tracing::instrument(name = "KeyClient::create_ec_key", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn create_ec_key(
        &self,
        name: &str,
        options: Option<CreateKeyOptions>,
    ) -> Result<KeyVaultKey> {
        let options = options.unwrap_or_default();
        let kty = if options.hardware_protected {
            KeyType::EcHsm
        } else {
            KeyType::Ec
        };
        self.create_key(name, kty, Some(options)).await
    }

    /// Creates an ML-DSA (FIPS 204) signing key of the parameter set `algorithm`
    /// (`kty` = `AKP`; the service reports `AKP-HSM`). Needs api-version 2026-05-01-preview
    /// or later (`ClientOptions::api_version`).
    ///
    /// # Errors
    /// As [`KeyClient::create_key`]; `InvalidArgument` when `algorithm` is not ML-DSA, or for
    /// `key_size`, `curve` or `public_exponent`.
    pub async fn create_ml_dsa_key(
        &self,
        name: &str,
        algorithm: SignatureAlgorithm,
        options: Option<CreateKeyOptions>,
    ) -> Result<KeyVaultKey> {
        let options = CreateKeyOptions {
            algorithm: Some(algorithm),
            ..options.unwrap_or_default()
        };
        let kty = if options.hardware_protected {
            KeyType::AkpHsm
        } else {
            KeyType::Akp
        };
        self.create_key(name, kty, Some(options)).await
    }

    /// Creates a symmetric key (`oct-HSM` with `hardware_protected`, as Managed HSM
    /// requires; `oct` otherwise).
    ///
    /// # Errors
    /// As [`KeyClient::create_key`]; `curve` and `public_exponent` are rejected.
    #[tracing::instrument(name = "KeyClient::create_oct_key", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn create_oct_key(
        &self,
        name: &str,
        options: Option<CreateKeyOptions>,
    ) -> Result<KeyVaultKey> {
        let options = options.unwrap_or_default();
        let kty = if options.hardware_protected {
            KeyType::OctHsm
        } else {
            KeyType::Oct
        };
        self.create_key(name, kty, Some(options)).await
    }

    /// Imports `key` (with its private material) as key `name`.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name; the service's errors.
    #[tracing::instrument(name = "KeyClient::import_key", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn import_key(
        &self,
        name: &str,
        key: &JsonWebKey,
        options: Option<ImportKeyOptions>,
    ) -> Result<KeyVaultKey> {
        check_key_name(name)?;
        let options = options.unwrap_or_default();
        let body = KeyImportParameters {
            hsm: options.hardware_protected,
            key: key.clone_secret(),
            attributes: attributes(
                options.enabled,
                options.not_before,
                options.expires_on,
                options.exportable,
            ),
            tags: options.tags,
            release_policy: options.release_policy,
        };
        let bundle: KeyBundle = self
            .endpoint
            .send_json(Method::PUT, self.endpoint.url(&["keys", name]), Some(&body))
            .await?;
        KeyVaultKey::try_from(bundle)
    }

    /// Gets a key: the latest version, or `options.version`.
    ///
    /// # Errors
    /// `ResourceNotFound` when there is no such key or version.
    #[tracing::instrument(name = "KeyClient::get_key", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn get_key(&self, name: &str, options: Option<GetKeyOptions>) -> Result<KeyVaultKey> {
        check_key_name(name)?;
        let version = options.unwrap_or_default().version;
        let bundle: KeyBundle = self
            .endpoint
            .get_json(
                self.endpoint
                    .url(&["keys", name, version.as_deref().unwrap_or("")]),
            )
            .await?;
        KeyVaultKey::try_from(bundle)
    }

    /// Lists the properties of every key (latest versions, no key material), lazily.
    #[doc(alias = "list_properties_of_keys")]
    pub fn list_key_properties(&self, options: Option<ListOptions>) -> Pager<KeyProperties> {
        self.pager::<KeyItem, KeyProperties>(&["keys"], options)
    }

    /// Lists the properties of every version of key `name`, lazily.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name.
    #[doc(alias = "list_properties_of_key_versions")]
    pub fn list_key_properties_versions(
        &self,
        name: &str,
        options: Option<ListOptions>,
    ) -> Result<Pager<KeyProperties>> {
        check_key_name(name)?;
        Ok(self.pager::<KeyItem, KeyProperties>(&["keys", name, "versions"], options))
    }

    /// Lists the deleted keys (no key material), lazily.
    #[doc(alias = "list_deleted_keys")]
    pub fn list_deleted_key_properties(
        &self,
        options: Option<ListOptions>,
    ) -> Pager<DeletedKeyProperties> {
        self.pager::<DeletedKeyItem, DeletedKeyProperties>(&["deletedkeys"], options)
    }

    /// A pager over the listing at `segments`, from its start or from
    /// `options.continuation_token`.
    fn pager<W, T>(&self, segments: &[&str], options: Option<ListOptions>) -> Pager<T>
    where
        W: DeserializeOwned + Send + 'static,
        T: TryFrom<W, Error = Error> + Send + 'static,
    {
        let options = options.unwrap_or_default();
        let mut first = self.endpoint.url(segments);
        if let Some(max) = options.max_page_size {
            first
                .query_pairs_mut()
                .append_pair("maxresults", &max.to_string());
        }
        Pager::from_next_link_map_at(
            self.pipeline().clone(),
            first,
            options.continuation_token,
            T::try_from,
        )
    }

    /// Updates a key's properties (latest version, or `options.version`). Absent options
    /// stay unchanged.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name; the service's errors.
    #[tracing::instrument(name = "KeyClient::update_key_properties", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), key.name = name, api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn update_key_properties(
        &self,
        name: &str,
        options: Option<UpdateKeyPropertiesOptions>,
    ) -> Result<KeyVaultKey> {
        check_key_name(name)?;
        let options = options.unwrap_or_default();
        let body = KeyUpdateParameters {
            key_ops: options.key_operations,
            attributes: attributes(
                options.enabled,
                options.not_before,
                options.expires_on,
                None,
            ),
            tags: options.tags,
            release_policy: options.release_policy,
        };
        let url = self
            .endpoint
            .url(&["keys", name, options.version.as_deref().unwrap_or("")]);
        let bundle: KeyBundle = self
            .endpoint
            .send_json(Method::PATCH, url, Some(&body))
            .await?;
        KeyVaultKey::try_from(bundle)
    }

    /// A [`CryptographyClient`] for key `name` (latest version, or `options.version`) that
    /// shares this client's pipeline. No request is sent until it is used.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name or version.
    pub fn get_cryptography_client(
        &self,
        name: &str,
        options: Option<GetKeyOptions>,
    ) -> Result<CryptographyClient> {
        let version = options.unwrap_or_default().version;
        let id = KeyVaultKeyIdentifier::new(self.vault_url(), name, version.as_deref())?;
        CryptographyClient::with_pipeline(
            id,
            self.pipeline().clone(),
            CryptographyClientOptions {
                client_options: self.options.client_options.clone(),
                ..Default::default()
            },
        )
    }

    /// Sends a raw request through this client's pipeline (authentication, retries,
    /// logging) and returns the response whatever its status.
    ///
    /// # Errors
    /// `InvalidArgument` when the request is not for this vault (the token must not leave
    /// it); transport, credential and authentication errors.
    #[tracing::instrument(name = "KeyClient::send_request", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn send_request(&self, request: Request) -> Result<Response> {
        self.endpoint.send_request(request).await
    }
}

fn attributes(
    enabled: Option<bool>,
    not_before: Option<time::OffsetDateTime>,
    expires_on: Option<time::OffsetDateTime>,
    exportable: Option<bool>,
) -> Option<KeyAttributes> {
    let a = KeyAttributes {
        enabled,
        nbf: to_unix(not_before),
        exp: to_unix(expires_on),
        exportable,
        ..Default::default()
    };
    (a != KeyAttributes::default()).then_some(a)
}

fn check_create_options(family: KeyFamily, o: &CreateKeyOptions) -> Result<()> {
    let bad = match family {
        KeyFamily::Rsa if o.curve.is_some() => Some("curve does not apply to RSA keys"),
        KeyFamily::Ec if o.key_size.is_some() => {
            Some("key_size does not apply to EC keys (use curve)")
        }
        KeyFamily::Ec | KeyFamily::Oct if o.public_exponent.is_some() => {
            Some("public_exponent applies to RSA keys only")
        }
        KeyFamily::Oct if o.curve.is_some() => Some("curve does not apply to symmetric keys"),
        KeyFamily::Rsa | KeyFamily::Ec | KeyFamily::Oct if o.algorithm.is_some() => {
            Some("algorithm applies to ML-DSA (AKP) keys only")
        }
        KeyFamily::Akp
            if o.key_size.is_some() || o.curve.is_some() || o.public_exponent.is_some() =>
        {
            Some("ML-DSA keys take algorithm only, not key_size, curve or public_exponent")
        }
        KeyFamily::Akp
            if !o
                .algorithm
                .as_ref()
                .is_some_and(SignatureAlgorithm::is_ml_dsa) =>
        {
            Some("ML-DSA keys need algorithm ML-DSA-44, ML-DSA-65 or ML-DSA-87")
        }
        _ => None,
    };
    bad.map_or(Ok(()), |m| Err(invalid_argument(m)))
}

#[cfg(test)]
mod tests;
