//! What the administration clients share: their constructor (a checked Managed HSM URL
//! and the pipeline, as a [`kv_core::Endpoint`]) and the path-segment rules of role and
//! setting names.

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
