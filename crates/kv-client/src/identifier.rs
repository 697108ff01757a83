//! Vault URLs and key identifiers: validation and parsing.
//!
//! The identifier type and the service's rules for key names and versions live in
//! `kv-protocol` (one set for the client and the emulator) and are re-exported here; the
//! functions below answer with this crate's [`Error`](crate::Error).

use url::Url;

use crate::error::Result;

pub use kv_protocol::identifier::{KeyVaultKeyIdentifier, MAX_KEY_NAME_LEN, is_valid_key_name};

/// Checks a vault or Managed HSM URL and returns it normalised (path `/`).
///
/// The URL must be `https`, carry a host, and have no user info, path, query or fragment
/// (a single trailing `/` is fine). Any host is accepted, so the emulator's
/// `https://127.0.0.1:8443` works as well as `https://myvault.vault.azure.net` and
/// `https://myhsm.managedhsm.azure.net`.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) naming what is wrong.
pub fn parse_vault_url(vault_url: &str) -> Result<Url> {
    Ok(kv_protocol::parse_vault_url(vault_url)?)
}

/// Checks an already parsed vault URL; see [`parse_vault_url`].
///
/// # Errors
/// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) naming what is wrong.
pub fn validate_vault_url(url: &Url) -> Result<()> {
    Ok(kv_protocol::validate_vault_url(url)?)
}

/// Fails with `InvalidArgument` before any I/O when `name` is not a valid key name.
pub(crate) fn check_key_name(name: &str) -> Result<()> {
    Ok(kv_protocol::identifier::check_key_name(name)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    /// The rules are kv-protocol's (tested there); here, that they answer with this
    /// crate's error kind.
    #[test]
    fn invalid_identifiers_are_invalid_arguments() {
        let err = "https://v.vault.azure.net/keys/bad_name"
            .parse::<KeyVaultKeyIdentifier>()
            .map_err(crate::Error::from)
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidArgument);
        assert_eq!(
            parse_vault_url("http://v.vault.azure.net")
                .unwrap_err()
                .kind(),
            &ErrorKind::InvalidArgument
        );
        assert_eq!(
            check_key_name(&"a".repeat(MAX_KEY_NAME_LEN + 1))
                .unwrap_err()
                .kind(),
            &ErrorKind::InvalidArgument
        );
        assert!(check_key_name("key-1").is_ok());
    }
}
