//! Personalities and names: which vault or Managed HSM a request addresses, and the
//! registry of their stores.
//!
//! A vault and a Managed HSM are different services. The emulator picks the personality
//! from the host name the client used:
//!
//! - `NAME.vault.localhost[:port]` or `NAME.vault.azure.net` — the vault `NAME`;
//! - `NAME.managedhsm.localhost[:port]` or `NAME.managedhsm.azure.net` — the Managed HSM
//!   `NAME`;
//! - anything else (`127.0.0.1`, `localhost`, `[::1]`, other names) — the emulator's
//!   default instance, whose kind is `--kind vault|managedhsm` (default: vault).
//!
//! Each named instance has its own SQLite file, `DIR/vaults/{vault|managedhsm}/NAME.db`,
//! so keys, deleted keys, rotation policies, roles and settings never leak between them.
//! The default instance keeps `DIR/keyvault.db`, the file every earlier version of the
//! emulator wrote, so existing data stays where clients on plain addresses find it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;

use crate::error::ApiError;
use crate::store::Store;

/// The two services the emulator can answer as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum VaultKind {
    /// Azure Key Vault (`*.vault.azure.net`): no administration APIs, no AES keys.
    #[default]
    Vault,
    /// Azure Key Vault Managed HSM (`*.managedhsm.azure.net`).
    ManagedHsm,
}

impl VaultKind {
    /// `vault` or `managedhsm`: the host label and the `--kind` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vault => "vault",
            Self::ManagedHsm => "managedhsm",
        }
    }

    /// The challenge resource Azure names for this kind.
    pub fn azure_resource(self) -> &'static str {
        match self {
            Self::Vault => "https://vault.azure.net",
            Self::ManagedHsm => "https://managedhsm.azure.net",
        }
    }

    /// Whether this is a Managed HSM.
    pub fn is_hsm(self) -> bool {
        self == Self::ManagedHsm
    }
}

impl std::fmt::Display for VaultKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VaultKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "vault" => Ok(Self::Vault),
            "managedhsm" | "hsm" | "managed-hsm" => Ok(Self::ManagedHsm),
            other => Err(format!(
                "unknown kind {other:?}: expected vault or managedhsm"
            )),
        }
    }
}

/// One vault or Managed HSM on the emulator.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VaultId {
    /// Vault or Managed HSM.
    pub kind: VaultKind,
    /// The name from the host (`NAME.vault.localhost`), lower case; `None` for the
    /// default instance on plain addresses.
    pub name: Option<String>,
}

impl VaultId {
    /// The instance a request for `host` (with or without port) addresses.
    pub fn of_host(host: Option<&str>, default_kind: VaultKind) -> Self {
        let default = Self {
            kind: default_kind,
            name: None,
        };
        let Some(host) = host else { return default };
        let name = host_without_port(host).to_ascii_lowercase();
        let mut labels = name.split('.');
        let (Some(first), Some(second)) = (labels.next(), labels.next()) else {
            return default;
        };
        let rest: Vec<&str> = labels.collect();
        let parent_ok = matches!(rest.as_slice(), ["localhost"] | ["azure", "net"]);
        let kind = match second {
            "vault" => VaultKind::Vault,
            "managedhsm" => VaultKind::ManagedHsm,
            _ => return default,
        };
        if !parent_ok || !valid_name(first) {
            return default;
        }
        Self {
            kind,
            name: Some(first.to_owned()),
        }
    }

    fn file(&self, root: &Path) -> PathBuf {
        match &self.name {
            None => root.join(crate::store::sqlite::DB_FILE),
            Some(name) => root
                .join("vaults")
                .join(self.kind.as_str())
                .join(format!("{name}.db")),
        }
    }
}

/// Vault and Managed HSM names: 3 to 24 letters, digits and hyphens (as Azure), which
/// also keeps them safe as file names.
fn valid_name(name: &str) -> bool {
    (3..=24).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

fn host_without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split(']').next().unwrap_or(host);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// The most named instances one emulator opens (each is an open SQLite file); more get
/// 400, so a client spraying host names cannot exhaust file descriptors.
pub const MAX_NAMED_VAULTS: usize = 256;

/// The stores of every instance, opened on first use.
#[derive(Debug)]
pub struct Vaults {
    root: PathBuf,
    default_kind: VaultKind,
    default: Store,
    named: Mutex<HashMap<VaultId, Store>>,
}

impl Vaults {
    /// The registry over the default instance's `store` (in `store.data_dir()`).
    pub fn new(default: Store, default_kind: VaultKind) -> Self {
        Self {
            root: default.data_dir().to_owned(),
            default_kind,
            default,
            named: Mutex::new(HashMap::new()),
        }
    }

    /// The kind of the default instance.
    pub fn default_kind(&self) -> VaultKind {
        self.default_kind
    }

    /// The default instance's store.
    pub fn default_store(&self) -> &Store {
        &self.default
    }

    /// The store of `id`, opening (creating) its file on first use.
    pub async fn store(&self, id: &VaultId) -> Result<Store, ApiError> {
        if id.name.is_none() {
            return Ok(self.default.clone());
        }
        if let Some(store) = self.lock().get(id) {
            return Ok(store.clone());
        }
        if self.lock().len() >= MAX_NAMED_VAULTS {
            return Err(ApiError::bad(format!(
                "The emulator serves at most {MAX_NAMED_VAULTS} named vaults and Managed HSMs."
            )));
        }
        let (root, file) = (self.root.clone(), id.file(&self.root));
        let opened = tokio::task::spawn_blocking(move || Store::open_file(&root, &file))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
        // Another request may have opened it meanwhile; keep the first.
        Ok(self.lock().entry(id.clone()).or_insert(opened).clone())
    }

    /// Opens every named instance found on disk (so the scheduler purges and rotates in
    /// them after a restart). Blocking; call at start.
    pub fn open_existing(&self) -> Result<(), crate::error::StartError> {
        for kind in [VaultKind::Vault, VaultKind::ManagedHsm] {
            let dir = self.root.join("vaults").join(kind.as_str());
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Some(name) = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_suffix(".db"))
                    .filter(|n| valid_name(n))
                else {
                    continue;
                };
                let id = VaultId {
                    kind,
                    name: Some(name.to_owned()),
                };
                let store = Store::open_file(&self.root, &path)?;
                self.lock().insert(id, store);
            }
        }
        Ok(())
    }

    /// Every open instance with its store (the default first).
    pub fn all(&self) -> Vec<(VaultId, Store)> {
        let mut all = vec![(
            VaultId {
                kind: self.default_kind,
                name: None,
            },
            self.default.clone(),
        )];
        all.extend(
            self.lock()
                .iter()
                .map(|(id, store)| (id.clone(), store.clone())),
        );
        all
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<VaultId, Store>> {
        // The map is only inserted into; a panic elsewhere cannot leave it inconsistent.
        self.named.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(host: &str) -> VaultId {
        VaultId::of_host(Some(host), VaultKind::Vault)
    }

    #[test]
    fn personalities_from_host_names() {
        let named = |kind, name: &str| VaultId {
            kind,
            name: Some(name.to_owned()),
        };
        assert_eq!(
            id("myvault.vault.localhost:8443"),
            named(VaultKind::Vault, "myvault")
        );
        assert_eq!(
            id("MyHsm.ManagedHSM.localhost"),
            named(VaultKind::ManagedHsm, "myhsm")
        );
        assert_eq!(
            id("prod-1.vault.azure.net"),
            named(VaultKind::Vault, "prod-1")
        );
        assert_eq!(
            id("h1x.managedhsm.azure.net:443"),
            named(VaultKind::ManagedHsm, "h1x")
        );
        for plain in [
            "127.0.0.1:8443",
            "localhost:1",
            "[::1]:8443",
            "a.localhost",
            "x.vault.example.com",
            "ab.vault.localhost",
            "../x.vault.localhost",
        ] {
            assert_eq!(id(plain).name, None, "{plain}");
        }
        assert_eq!(
            VaultId::of_host(Some("127.0.0.1"), VaultKind::ManagedHsm).kind,
            VaultKind::ManagedHsm
        );
        assert_eq!("managedhsm".parse(), Ok(VaultKind::ManagedHsm));
        assert!("hsmx".parse::<VaultKind>().is_err());
    }
}
