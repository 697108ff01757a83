//! Vault URLs, key identifiers and the service's rules for key names and versions: the
//! one set of rules the client checks before any I/O and the emulator answers with.

use core::fmt;
use core::str::FromStr;

use url::Url;

use crate::error::{Error, Result};

/// The longest key name the service accepts, in characters.
pub const MAX_KEY_NAME_LEN: usize = 127;

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidIdentifier(message.into())
}

/// Whether `name` is a valid key name for the service: 1 to [`MAX_KEY_NAME_LEN`]
/// characters matching the REST spec's `^[0-9a-zA-Z-]+$`.
///
/// ```
/// use kv_protocol::is_valid_key_name;
/// assert!(is_valid_key_name("my-key-01"));
/// assert!(!is_valid_key_name("my_key"));
/// assert!(!is_valid_key_name(&"a".repeat(128)));
/// ```
pub fn is_valid_key_name(name: &str) -> bool {
    (1..=MAX_KEY_NAME_LEN).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Fails unless `name` is a valid key name (see [`is_valid_key_name`]).
///
/// # Errors
/// [`Error::InvalidIdentifier`] saying what is wrong.
pub fn check_key_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(invalid("key name must not be empty"));
    }
    if name.len() > MAX_KEY_NAME_LEN {
        return Err(invalid(format!(
            "key name must be at most {MAX_KEY_NAME_LEN} characters"
        )));
    }
    if !is_valid_key_name(name) {
        return Err(invalid("key name may contain only letters, digits and '-'"));
    }
    Ok(())
}

/// Whether `version` is a valid key version in an identifier: letters, digits and `-`
/// (the service issues 32 lowercase hex characters).
pub fn is_valid_key_version(version: &str) -> bool {
    !version.is_empty()
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Checks an already parsed vault or Managed HSM URL.
///
/// The URL must be `https`, carry a host, and have no user info, path, query or fragment
/// (a single trailing `/` is fine). Any host is accepted, so the emulator's
/// `https://127.0.0.1:8443` works as well as `https://myvault.vault.azure.net` and
/// `https://myhsm.managedhsm.azure.net`.
///
/// # Errors
/// [`Error::InvalidIdentifier`] naming what is wrong.
pub fn validate_vault_url(url: &Url) -> Result<()> {
    if url.scheme() != "https" {
        return Err(invalid(
            "vault URL must use https (bearer tokens are never sent over plain http)",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("vault URL has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("vault URL must not carry user info"));
    }
    if url.path() != "/" && !url.path().is_empty() {
        return Err(invalid(
            "vault URL must not have a path (expected e.g. https://myvault.vault.azure.net)",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("vault URL must not have a query or fragment"));
    }
    Ok(())
}

/// Parses and checks a vault URL (see [`validate_vault_url`]).
///
/// # Errors
/// [`Error::InvalidIdentifier`] naming what is wrong.
pub fn parse_vault_url(vault_url: &str) -> Result<Url> {
    let url =
        Url::parse(vault_url).map_err(|e| invalid(format!("vault URL is not a valid URL: {e}")))?;
    validate_vault_url(&url)?;
    Ok(url)
}

/// A key identifier (`kid`) parsed into vault URL, name and optional version.
///
/// Accepts `{vault}/keys/{name}`, `{vault}/keys/{name}/` and `{vault}/keys/{name}/{version}`
/// on any `https` host (Key Vault, Managed HSM or the emulator, with or without a port).
/// Deleted-key recovery ids (`{vault}/deletedkeys/{name}`) parse too; their `version` is `None`.
///
/// ```
/// use kv_protocol::KeyVaultKeyIdentifier;
/// let id: KeyVaultKeyIdentifier =
///     "https://myvault.vault.azure.net/keys/key1/0123456789abcdef0123456789abcdef".parse()?;
/// assert_eq!(id.vault_url().as_str(), "https://myvault.vault.azure.net/");
/// assert_eq!(id.name(), "key1");
/// assert_eq!(id.version(), Some("0123456789abcdef0123456789abcdef"));
/// # Ok::<(), kv_protocol::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct KeyVaultKeyIdentifier {
    source_id: Url,
    vault_url: Url,
    collection: Collection,
    name: String,
    version: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Collection {
    Keys,
    DeletedKeys,
}

impl KeyVaultKeyIdentifier {
    /// Builds the identifier of key `name` (and `version`, if any) in `vault_url`.
    ///
    /// # Errors
    /// `InvalidArgument` if the vault URL or the name is invalid.
    pub fn new(vault_url: &Url, name: &str, version: Option<&str>) -> Result<Self> {
        validate_vault_url(vault_url)?;
        check_key_name(name)?;
        if let Some(v) = version {
            check_version(v)?;
        }
        let mut source_id = vault_url.clone();
        match version {
            Some(v) => source_id.set_path(&format!("/keys/{name}/{v}")),
            None => source_id.set_path(&format!("/keys/{name}")),
        }
        Ok(Self {
            source_id,
            vault_url: vault_url.clone(),
            collection: Collection::Keys,
            name: name.to_owned(),
            version: version.map(str::to_owned),
        })
    }

    /// The identifier as given (the full `kid` URL).
    pub fn source_id(&self) -> &Url {
        &self.source_id
    }

    /// The vault or Managed HSM base URL (path `/`).
    pub fn vault_url(&self) -> &Url {
        &self.vault_url
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key version, or `None` for a versionless identifier.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Whether this is a deleted key's recovery id (`/deletedkeys/{name}`).
    pub fn is_deleted_key_id(&self) -> bool {
        self.collection == Collection::DeletedKeys
    }

    /// The same key without its version (always `{vault}/keys/{name}`).
    pub fn versionless(&self) -> Self {
        let mut source_id = self.vault_url.clone();
        source_id.set_path(&format!("/keys/{}", self.name));
        Self {
            source_id,
            vault_url: self.vault_url.clone(),
            collection: Collection::Keys,
            name: self.name.clone(),
            version: None,
        }
    }
}

/// Fails unless `version` is a valid key version (see [`is_valid_key_version`]).
///
/// # Errors
/// [`Error::InvalidIdentifier`] saying what is wrong.
pub fn check_version(version: &str) -> Result<()> {
    if !is_valid_key_version(version) {
        return Err(invalid(
            "key version may contain only letters, digits and '-'",
        ));
    }
    Ok(())
}

impl TryFrom<&Url> for KeyVaultKeyIdentifier {
    type Error = Error;

    /// Parses a `kid` URL, checking the vault URL, the name and the version.
    fn try_from(url: &Url) -> Result<Self> {
        let mut vault_url = url.clone();
        vault_url.set_path("/");
        vault_url.set_query(None);
        vault_url.set_fragment(None);
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("key identifier must not have a query or fragment"));
        }
        validate_vault_url(&vault_url)?;
        let path = url.path().strip_prefix('/').unwrap_or(url.path());
        let path = path.strip_suffix('/').unwrap_or(path);
        let segments: Vec<&str> = path.split('/').collect();
        let (collection, name, version) = match segments.as_slice() {
            ["keys", name] => (Collection::Keys, *name, None),
            ["keys", name, version] => (Collection::Keys, *name, Some(*version)),
            ["deletedkeys", name] => (Collection::DeletedKeys, *name, None),
            _ => {
                return Err(invalid(
                    "key identifier must look like {vault}/keys/{name}[/{version}]",
                ));
            }
        };
        check_key_name(name)?;
        if let Some(v) = version {
            check_version(v)?;
        }
        Ok(Self {
            source_id: url.clone(),
            vault_url,
            collection,
            name: name.to_owned(),
            version: version.map(str::to_owned),
        })
    }
}

impl TryFrom<Url> for KeyVaultKeyIdentifier {
    type Error = Error;

    fn try_from(url: Url) -> Result<Self> {
        Self::try_from(&url)
    }
}

impl FromStr for KeyVaultKeyIdentifier {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let url =
            Url::parse(s).map_err(|e| invalid(format!("key identifier is not a URL: {e}")))?;
        Self::try_from(&url)
    }
}

impl fmt::Display for KeyVaultKeyIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.source_id.as_str())
    }
}

impl fmt::Debug for KeyVaultKeyIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("KeyVaultKeyIdentifier")
            .field(&self.source_id.as_str())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERSION: &str = "78deebed173b48e48f55abf87ed4cf71";

    #[test]
    fn parses_vault_key_id_with_version() {
        let kid = format!("https://myvault.vault.azure.net/keys/CreateSoftKeyTest/{VERSION}");
        let id: KeyVaultKeyIdentifier = kid.parse().unwrap();
        assert_eq!(id.vault_url().as_str(), "https://myvault.vault.azure.net/");
        assert_eq!(id.name(), "CreateSoftKeyTest");
        assert_eq!(id.version(), Some(VERSION));
        assert_eq!(id.to_string(), kid);
        assert!(!id.is_deleted_key_id());
    }

    #[test]
    fn parses_versionless_and_trailing_slash() {
        for kid in [
            "https://myvault.vault.azure.net/keys/key-1",
            "https://myvault.vault.azure.net/keys/key-1/",
        ] {
            let id: KeyVaultKeyIdentifier = kid.parse().unwrap();
            assert_eq!(id.name(), "key-1");
            assert_eq!(id.version(), None);
        }
    }

    #[test]
    fn parses_managed_hsm_and_emulator_hosts() {
        let id: KeyVaultKeyIdentifier =
            format!("https://myhsm.managedhsm.azure.net/keys/hsmkey/{VERSION}")
                .parse()
                .unwrap();
        assert_eq!(
            id.vault_url().as_str(),
            "https://myhsm.managedhsm.azure.net/"
        );
        let id: KeyVaultKeyIdentifier = format!("https://127.0.0.1:8443/keys/k/{VERSION}")
            .parse()
            .unwrap();
        assert_eq!(id.vault_url().as_str(), "https://127.0.0.1:8443/");
        assert_eq!(id.vault_url().port(), Some(8443));
        let id: KeyVaultKeyIdentifier = "https://localhost:1234/keys/k".parse().unwrap();
        assert_eq!(id.vault_url().as_str(), "https://localhost:1234/");
    }

    #[test]
    fn parses_deleted_key_recovery_id() {
        let id: KeyVaultKeyIdentifier = "https://v.vault.azure.net/deletedkeys/gone"
            .parse()
            .unwrap();
        assert!(id.is_deleted_key_id());
        assert_eq!(id.name(), "gone");
        assert_eq!(
            id.versionless().to_string(),
            "https://v.vault.azure.net/keys/gone"
        );
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in [
            "not a url",
            "http://myvault.vault.azure.net/keys/k/v",
            "https://myvault.vault.azure.net/",
            "https://myvault.vault.azure.net/keys",
            "https://myvault.vault.azure.net/secrets/k/v",
            "https://myvault.vault.azure.net/keys/k/v/extra",
            "https://myvault.vault.azure.net/keys/bad_name/v",
            "https://myvault.vault.azure.net/keys/k/v?x=1",
            "https://myvault.vault.azure.net/keys//v",
            "https://user:pw@myvault.vault.azure.net/keys/k",
        ] {
            let err = bad.parse::<KeyVaultKeyIdentifier>().unwrap_err();
            assert!(matches!(err, Error::InvalidIdentifier(_)), "{bad}");
        }
    }

    #[test]
    fn new_builds_the_kid() {
        let vault = parse_vault_url("https://v.vault.azure.net").unwrap();
        let id = KeyVaultKeyIdentifier::new(&vault, "k1", Some(VERSION)).unwrap();
        assert_eq!(
            id.to_string(),
            format!("https://v.vault.azure.net/keys/k1/{VERSION}")
        );
        assert_eq!(id.versionless().version(), None);
        assert!(KeyVaultKeyIdentifier::new(&vault, "", None).is_err());
        assert!(KeyVaultKeyIdentifier::new(&vault, "k1", Some("a/b")).is_err());
    }

    #[test]
    fn vault_url_validation() {
        assert!(parse_vault_url("https://myvault.vault.azure.net").is_ok());
        assert!(parse_vault_url("https://myvault.vault.azure.net/").is_ok());
        assert!(parse_vault_url("https://myhsm.managedhsm.azure.net/").is_ok());
        assert!(parse_vault_url("https://127.0.0.1:8443").is_ok());
        for bad in [
            "http://myvault.vault.azure.net",
            "https://myvault.vault.azure.net/keys",
            "https://myvault.vault.azure.net/?a=b",
            "https://myvault.vault.azure.net/#frag",
            "https://u@myvault.vault.azure.net/",
            "myvault.vault.azure.net",
            "",
        ] {
            let err = parse_vault_url(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidIdentifier(_)), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn built_ids_parse_back(
            host in "[a-z][a-z0-9]{0,10}\\.(vault\\.azure\\.net|managedhsm\\.azure\\.net|localhost)",
            port in proptest::option::of(1u16..),
            name in "[A-Za-z0-9-]{1,20}",
            version in proptest::option::of("[0-9a-f]{32}"),
        ) {
            let vault = match port {
                Some(p) => format!("https://{host}:{p}"),
                None => format!("https://{host}"),
            };
            let vault = parse_vault_url(&vault).unwrap();
            let id = KeyVaultKeyIdentifier::new(&vault, &name, version.as_deref()).unwrap();
            let back: KeyVaultKeyIdentifier = id.to_string().parse().unwrap();
            proptest::prop_assert_eq!(back.vault_url(), &vault);
            proptest::prop_assert_eq!(back.name(), name.as_str());
            proptest::prop_assert_eq!(back.version(), version.as_deref());
        }

        #[test]
        fn parsing_never_panics(input in ".{0,80}") {
            let _ = input.parse::<KeyVaultKeyIdentifier>();
            let _ = parse_vault_url(&input);
        }
    }

    #[test]
    fn key_names() {
        assert!(is_valid_key_name("abc-DEF-123"));
        assert!(!is_valid_key_name(""));
        assert!(!is_valid_key_name("a_b"));
        assert!(!is_valid_key_name("a/b"));
        assert!(!is_valid_key_name("ключ"));
        assert!(is_valid_key_name(&"a".repeat(MAX_KEY_NAME_LEN)));
        assert!(!is_valid_key_name(&"a".repeat(MAX_KEY_NAME_LEN + 1)));
        assert!(check_key_name(&"a".repeat(MAX_KEY_NAME_LEN + 1)).is_err());
    }
}
