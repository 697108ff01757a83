//! [`KeyEncryptionKey`] for [`CryptographyClient`] (one key) and [`KeyVaultWrapper`]
//! (every version of a key).

use core::fmt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kv_envelope::{KeyEncryptionKey, WrappedDataKey};
use kv_jwk::KeyWrapAlgorithm;
use zeroize::Zeroizing;

use crate::crypto_client::CryptographyClient;
use crate::error::{Error, ErrorKind, Result, invalid_argument};
use crate::identifier::KeyVaultKeyIdentifier;
use crate::key_client::KeyClient;
use crate::options::GetKeyOptions;

/// A versioned identifier, or `InvalidArgument`.
fn versioned(key_id: Option<&str>) -> Result<KeyVaultKeyIdentifier> {
    let id: KeyVaultKeyIdentifier = key_id
        .ok_or_else(|| invalid_argument("envelope: the wrapping key has no identifier"))?
        .parse()?;
    if id.version().is_none() {
        return Err(invalid_argument(
            "envelope: the wrapping key's identifier has no version",
        ));
    }
    Ok(id)
}

fn poisoned() -> Error {
    Error::new(ErrorKind::OperationFailed, "envelope: lock poisoned")
}

fn wrong_key(header_kid: &str) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("envelope: the data key was wrapped by {header_kid}, not by this client's key"),
    )
}

/// Whether `header` (versioned) names the key of `client` (versioned or not).
fn same_key(client: &KeyVaultKeyIdentifier, header: &KeyVaultKeyIdentifier) -> bool {
    client.vault_url() == header.vault_url()
        && client.name() == header.name()
        && client.version().is_none_or(|v| Some(v) == header.version())
}

/// The identifier checks every message of one client repeats, remembered per thread: the
/// last answer of [`names_client_key`] and of [`versioned_string`]. Each costs one or two URL
/// parses (several allocations each, about a microsecond per message; the `message_cost`
/// bench of kv-envelope shows it at 4 KiB). Only successes are kept, so errors are reported
/// as before, and an answer is only reused for exactly the same input strings.
#[derive(Default)]
struct KeyIdMemo {
    /// `(client id, header id, names the client's key)`.
    names: Option<(Option<String>, String, bool)>,
    /// `(id as the service answered it, its versioned canonical form)`.
    canonical: Option<(String, String)>,
}

thread_local! {
    static KEY_ID_MEMO: std::cell::RefCell<KeyIdMemo> = std::cell::RefCell::default();
}

/// Whether the header id `key_id` (which must be versioned) names the key of a client whose
/// id is `mine` (any key when `None`), as [`same_key`] decides.
fn names_client_key(mine: Option<&str>, key_id: &str) -> Result<bool> {
    let hit = KEY_ID_MEMO.with_borrow(|memo| match &memo.names {
        Some((m, k, answer)) if m.as_deref() == mine && k == key_id => Some(*answer),
        _ => None,
    });
    if let Some(answer) = hit {
        return Ok(answer);
    }
    let header_id = versioned(Some(key_id))?;
    let answer = match mine {
        Some(mine) => same_key(&mine.parse()?, &header_id),
        None => true,
    };
    KEY_ID_MEMO.with_borrow_mut(|memo| {
        memo.names = Some((mine.map(str::to_owned), key_id.to_owned(), answer));
    });
    Ok(answer)
}

/// The versioned identifier `key_id` as written into a key section ([`versioned`], then its
/// canonical form).
fn versioned_string(key_id: Option<&str>) -> Result<String> {
    let hit = KEY_ID_MEMO.with_borrow(|memo| match (&memo.canonical, key_id) {
        (Some((given, canonical)), Some(id)) if given == id => Some(canonical.clone()),
        _ => None,
    });
    if let Some(canonical) = hit {
        return Ok(canonical);
    }
    let canonical = versioned(key_id)?.to_string();
    if let Some(id) = key_id {
        KEY_ID_MEMO
            .with_borrow_mut(|memo| memo.canonical = Some((id.to_owned(), canonical.clone())));
    }
    Ok(canonical)
}

/// One key: the client's. Unwrapping a data key wrapped by another key fails before any
/// request. A client built on a versionless id unwraps with whatever version it holds (the
/// newest): use [`KeyVaultWrapper`] to read ciphertexts of older versions.
impl KeyEncryptionKey for CryptographyClient {
    /// The key's own: RSA-OAEP-256 for RSA keys, AES key wrap of the key's size for oct and
    /// oct-HSM keys; RSA-OAEP-256 when the key is not known here (a remote-only client).
    /// Only the client's own key: a header id naming the same vault and key (and version,
    /// when the client's id has one).
    fn preference(&self, key_id: &str) -> Option<usize> {
        names_client_key(self.key_id(), key_id).ok()?.then_some(0)
    }

    async fn default_algorithm(&self) -> Result<KeyWrapAlgorithm> {
        Ok(self
            .wrap_algorithm_for_key()
            .await
            .unwrap_or(KeyWrapAlgorithm::RsaOaep256))
    }

    async fn wrap_data_key(
        &self,
        algorithm: &KeyWrapAlgorithm,
        data_key: &[u8],
    ) -> Result<WrappedDataKey> {
        let r = self.wrap_key(algorithm.clone(), data_key).await?;
        Ok(WrappedDataKey {
            key_id: versioned_string(r.key_id.as_deref())?,
            algorithm: r.algorithm,
            encrypted_key: r.encrypted_key,
        })
    }

    async fn unwrap_data_key(
        &self,
        key_id: &str,
        algorithm: &KeyWrapAlgorithm,
        encrypted_key: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        if !names_client_key(self.key_id(), key_id)? {
            return Err(wrong_key(key_id));
        }
        Ok(self.unwrap_key(algorithm.clone(), encrypted_key).await?.key)
    }
}

/// Every version of one Key Vault key: wraps with the newest version, unwraps with the
/// version the envelope names (one [`CryptographyClient`] per version, kept for reuse, so a
/// public key is fetched once per version). This is what makes decrypt work across rotation
/// and what [`EnvelopeClient::rewrap`](kv_envelope::EnvelopeClient::rewrap) needs.
#[derive(Clone)]
pub struct KeyVaultWrapper {
    keys: KeyClient,
    name: String,
    latest: Arc<Mutex<CryptographyClient>>,
    versions: Arc<Mutex<HashMap<String, CryptographyClient>>>,
}

impl fmt::Debug for KeyVaultWrapper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyVaultWrapper")
            .field("vault", &self.keys.vault_url().as_str())
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// At most this many versions are kept; beyond it the map is cleared (clients are cheap to
/// rebuild; a key rarely has this many live versions).
const MAX_VERSION_CLIENTS: usize = 64;

impl KeyVaultWrapper {
    /// Wraps with the newest version of key `name` in `keys`' vault.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid key name.
    pub fn new(keys: &KeyClient, name: &str) -> Result<Self> {
        let latest = keys.get_cryptography_client(name, None)?;
        Ok(Self {
            keys: keys.clone(),
            name: name.to_owned(),
            latest: Arc::new(Mutex::new(latest)),
            versions: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    /// Starts over with the newest version: the next wrap fetches the key again. Call it
    /// after rotating the key so that encrypt and
    /// [`rewrap`](kv_envelope::EnvelopeClient::rewrap) use the new version at once; otherwise it
    /// is picked up after the client's refresh interval.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid key name (cannot happen after `new` succeeded).
    pub fn refresh(&self) -> Result<()> {
        let fresh = self.keys.get_cryptography_client(&self.name, None)?;
        *self.latest.lock().map_err(|_| poisoned())? = fresh;
        Ok(())
    }

    fn client_for(&self, id: &KeyVaultKeyIdentifier) -> Result<CryptographyClient> {
        let version = id.version().ok_or_else(|| wrong_key(&id.to_string()))?;
        let mut map = self.versions.lock().map_err(|_| poisoned())?;
        if let Some(c) = map.get(version) {
            return Ok(c.clone());
        }
        let client = self.keys.get_cryptography_client(
            &self.name,
            Some(GetKeyOptions {
                version: Some(version.to_owned()),
            }),
        )?;
        if map.len() >= MAX_VERSION_CLIENTS {
            map.clear();
        }
        map.insert(version.to_owned(), client.clone());
        Ok(client)
    }
}

impl KeyEncryptionKey for KeyVaultWrapper {
    /// Any version of this wrapper's key.
    fn preference(&self, key_id: &str) -> Option<usize> {
        let id = versioned(Some(key_id)).ok()?;
        (id.vault_url() == self.keys.vault_url() && id.name() == self.name).then_some(0)
    }

    async fn default_algorithm(&self) -> Result<KeyWrapAlgorithm> {
        let latest = self.latest.lock().map_err(|_| poisoned())?.clone();
        latest.default_algorithm().await
    }

    async fn wrap_data_key(
        &self,
        algorithm: &KeyWrapAlgorithm,
        data_key: &[u8],
    ) -> Result<WrappedDataKey> {
        let latest = self.latest.lock().map_err(|_| poisoned())?.clone();
        latest.wrap_data_key(algorithm, data_key).await
    }

    async fn unwrap_data_key(
        &self,
        key_id: &str,
        algorithm: &KeyWrapAlgorithm,
        encrypted_key: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        let id = versioned(Some(key_id))?;
        if id.vault_url() != self.keys.vault_url() || id.name() != self.name {
            return Err(wrong_key(key_id));
        }
        let client = self.client_for(&id)?;
        client
            .unwrap_data_key(key_id, algorithm, encrypted_key)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_rules() {
        let v1: KeyVaultKeyIdentifier = "https://v.vault.azure.net/keys/k/1".parse().unwrap();
        let v2: KeyVaultKeyIdentifier = "https://v.vault.azure.net/keys/k/2".parse().unwrap();
        let any: KeyVaultKeyIdentifier = "https://v.vault.azure.net/keys/k".parse().unwrap();
        let other: KeyVaultKeyIdentifier = "https://v.vault.azure.net/keys/j/1".parse().unwrap();
        let vault: KeyVaultKeyIdentifier = "https://w.vault.azure.net/keys/k/1".parse().unwrap();
        assert!(same_key(&v1, &v1));
        assert!(!same_key(&v1, &v2));
        assert!(same_key(&any, &v2));
        assert!(!same_key(&any, &other));
        assert!(!same_key(&v1, &vault));
        assert!(versioned(Some("https://v.vault.azure.net/keys/k")).is_err());
        assert!(versioned(None).is_err());
    }

    const A1: &str = "https://a.vault.azure.net/keys/kek/0123456789abcdef";
    const A2: &str = "https://a.vault.azure.net/keys/kek/fedcba9876543210";
    const B1: &str = "https://b.vault.azure.net/keys/kek/0123456789abcdef";

    /// The remembered answer is only ever the answer for the same pair.
    #[test]
    fn the_remembered_key_match_is_per_pair() {
        for _ in 0..2 {
            assert!(names_client_key(Some(A1), A1).unwrap());
            assert!(!names_client_key(Some(A1), A2).unwrap());
            assert!(!names_client_key(Some(A1), B1).unwrap());
            assert!(!names_client_key(Some(B1), A1).unwrap());
            assert!(names_client_key(Some("https://a.vault.azure.net/keys/kek"), A2).unwrap());
            assert!(names_client_key(None, B1).unwrap());
            assert!(names_client_key(Some(A1), "https://a.vault.azure.net/keys/kek").is_err());
            assert!(names_client_key(Some("not a url"), A1).is_err());
            assert!(names_client_key(None, "not a url").is_err());
        }
        for _ in 0..2 {
            assert_eq!(versioned_string(Some(A1)).unwrap(), A1);
            assert_eq!(versioned_string(Some(B1)).unwrap(), B1);
            assert!(versioned_string(Some("https://a.vault.azure.net/keys/kek")).is_err());
            assert!(versioned_string(None).is_err());
        }
    }
}
