//! What the administration clients share: their constructor (a checked Managed HSM URL
//! and the pipeline, as a [`kv_core::Endpoint`]), the members written on top of it
//! ([`endpoint_members`]) and the path-segment rules of role and setting names.

use std::sync::Arc;

use kv_core::{ClientOptions, Endpoint, Pipeline, TokenCredential};

use super::ekm::KeyVaultEkmClientOptions;
use super::options::{
    KeyVaultAccessControlClientOptions, KeyVaultBackupClientOptions, KeyVaultSettingsClientOptions,
};
use crate::error::{Result, invalid_argument};
use crate::identifier::parse_vault_url;

/// The options of an administration client's `new`: each carries the pipeline options.
pub(crate) trait AdminClientOptions: Default {
    /// The pipeline options inside.
    fn into_client_options(self) -> ClientOptions;
}

impl AdminClientOptions for KeyVaultAccessControlClientOptions {
    fn into_client_options(self) -> ClientOptions {
        self.client_options
    }
}

impl AdminClientOptions for KeyVaultBackupClientOptions {
    fn into_client_options(self) -> ClientOptions {
        self.client_options
    }
}

impl AdminClientOptions for KeyVaultSettingsClientOptions {
    fn into_client_options(self) -> ClientOptions {
        self.client_options
    }
}

impl AdminClientOptions for KeyVaultEkmClientOptions {
    fn into_client_options(self) -> ClientOptions {
        self.client_options
    }
}

/// The endpoint of an administration client: checks `vault_url` (`https`, no path) and
/// builds the pipeline with `options` (their defaults for `None`).
pub(crate) fn connect(
    vault_url: &str,
    credential: Arc<dyn TokenCredential>,
    options: Option<impl AdminClientOptions>,
) -> Result<Endpoint> {
    let vault_url = parse_vault_url(vault_url)?;
    let options = options.unwrap_or_default().into_client_options();
    Endpoint::new(vault_url, Pipeline::new(credential, options)?)
}

/// The members every administration client has, written once: `new` (through
/// [`connect`]), `vault_url`, `pipeline` and `send_request` (in a span named `$span`).
/// Expanded inside each client's `impl` block; the client keeps its [`Endpoint`] in a
/// field named `endpoint`.
macro_rules! endpoint_members {
    ($options:ty, $span:literal) => {
        /// A client for the Managed HSM at `vault_url` (`https`, no path).
        ///
        /// # Errors
        /// `InvalidArgument` for an invalid URL; the pipeline's errors.
        pub fn new(
            vault_url: &str,
            credential: ::std::sync::Arc<dyn ::kv_core::TokenCredential>,
            options: ::std::option::Option<$options>,
        ) -> $crate::error::Result<Self> {
            Ok(Self {
                endpoint: $crate::admin::endpoint::connect(vault_url, credential, options)?,
            })
        }

        /// The Managed HSM URL.
        pub fn vault_url(&self) -> &::url::Url {
            self.endpoint.vault_url()
        }

        /// Sends a raw request through this client's pipeline (authentication, retries,
        /// logging) and returns the response whatever its status, for operations this
        /// client does not wrap yet.
        ///
        /// # Errors
        /// `InvalidArgument` when the request is not for this HSM (the token must not leave
        /// it); transport, credential and authentication errors.
        #[tracing::instrument(name = $span, skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
        pub async fn send_request(
            &self,
            request: ::kv_core::Request,
        ) -> $crate::error::Result<::kv_core::Response> {
            self.endpoint.send_request(request).await
        }

        /// The pipeline this client sends through.
        pub fn pipeline(&self) -> &::kv_core::Pipeline {
            self.endpoint.pipeline()
        }
    };
}
pub(crate) use endpoint_members;

/// A fresh random (v4) GUID, the name of a new role assignment or definition.
pub(crate) fn new_guid() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

/// Fails with `InvalidArgument` unless `value` can be one path segment: not empty, not `.`
/// or `..`, and free of `/`, `?`, `#`, `%`, `\`, whitespace and control characters.
pub(crate) fn check_segment(what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(invalid_argument(format!("{what} must not be empty")));
    }
    if value == "." || value == ".." {
        return Err(invalid_argument(format!("{what} must not be `.` or `..`")));
    }
    if value
        .chars()
        .any(|c| matches!(c, '/' | '?' | '#' | '%' | '\\') || c.is_whitespace() || c.is_control())
    {
        return Err(invalid_argument(format!(
            "{what} must not contain '/', '?', '#', '%', '\\', whitespace or control characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_check_the_url() {
        let credential = || Arc::new(kv_core::StaticTokenCredential::new("t"));
        let e = connect(
            "https://h.managedhsm.azure.net",
            credential(),
            None::<KeyVaultSettingsClientOptions>,
        )
        .unwrap();
        assert_eq!(e.vault_url().as_str(), "https://h.managedhsm.azure.net/");
        // The EKM client's own default api-version survives `None`.
        let e = connect("https://h", credential(), None::<KeyVaultEkmClientOptions>).unwrap();
        assert_eq!(
            e.pipeline().api_version(),
            &kv_core::ApiVersion::NEWEST_STABLE
        );
        for bad in ["http://h", "https://h/path", "not a url"] {
            assert!(
                connect(bad, credential(), None::<KeyVaultBackupClientOptions>).is_err(),
                "{bad}"
            );
        }
    }

    /// What `endpoint_members!` gives a client: the HSM's URL, the options' pipeline, and
    /// raw requests sent (the answer whatever its status) only to the HSM.
    async fn check_members<F>(
        url: &url::Url,
        pipeline: &Pipeline,
        send_request: impl Fn(kv_core::Request) -> F,
    ) where
        F: std::future::Future<Output = Result<kv_core::Response>>,
    {
        let get = |url: &str| kv_core::Request::new(kv_core::Method::GET, url.parse().unwrap());
        assert_eq!(url.as_str(), "https://v.vault.azure.net/");
        assert_eq!(pipeline.api_version(), &kv_core::ApiVersion::LATEST);
        let inside = send_request(get("https://v.vault.azure.net/settings/x")).await;
        assert_eq!(inside.unwrap().status(), kv_core::StatusCode::NOT_FOUND);
        let outside = send_request(get("https://other.example/x")).await;
        assert_eq!(
            outside.unwrap_err().kind(),
            &crate::ErrorKind::InvalidArgument
        );
    }

    #[tokio::test]
    async fn every_client_has_the_endpoint_members() {
        use super::super::test_hsm::{HSM, fake_hsm};
        use crate::admin::{
            KeyVaultAccessControlClient, KeyVaultBackupClient, KeyVaultEkmClient,
            KeyVaultSettingsClient,
        };
        let fake = fake_hsm(
            |_, _, _| (404, r#"{"error":{"code":"NotFound"}}"#.into()),
            |_, _| Vec::new(),
        );
        let credential = || Arc::new(kv_core::StaticTokenCredential::new("t"));
        let client_options = fake.options();

        let options = KeyVaultAccessControlClientOptions {
            client_options: client_options.clone(),
        };
        let c = KeyVaultAccessControlClient::new(HSM, credential(), Some(options)).unwrap();
        check_members(c.vault_url(), c.pipeline(), |r| c.send_request(r)).await;
        let options = KeyVaultBackupClientOptions {
            client_options: client_options.clone(),
        };
        let c = KeyVaultBackupClient::new(HSM, credential(), Some(options)).unwrap();
        check_members(c.vault_url(), c.pipeline(), |r| c.send_request(r)).await;
        let options = KeyVaultSettingsClientOptions {
            client_options: client_options.clone(),
        };
        let c = KeyVaultSettingsClient::new(HSM, credential(), Some(options)).unwrap();
        check_members(c.vault_url(), c.pipeline(), |r| c.send_request(r)).await;
        let options = KeyVaultEkmClientOptions { client_options };
        let c = KeyVaultEkmClient::new(HSM, credential(), Some(options)).unwrap();
        check_members(c.vault_url(), c.pipeline(), |r| c.send_request(r)).await;
    }

    #[test]
    fn guids_are_random_v4() {
        let a = new_guid();
        assert_ne!(a, new_guid());
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(parsed.hyphenated().to_string(), a, "lowercase, hyphenated");
    }

    #[test]
    fn segments() {
        for ok in ["AllowKeyManagementOperationsThroughARM", "0b5c-9f", "a.b_c"] {
            assert!(check_segment("name", ok).is_ok(), "{ok}");
        }
        for bad in [
            "", ".", "..", "a/b", "a?b", "a#b", "a%2F", "a b", "a\\b", "a\nb",
        ] {
            let e = check_segment("name", bad).unwrap_err();
            assert_eq!(e.kind(), &crate::ErrorKind::InvalidArgument, "{bad}");
        }
    }
}
