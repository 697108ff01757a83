//! The registry of every instance's store, opened on first use.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{VaultId, VaultKind, valid_name};
use crate::error::ApiError;
use crate::store::Store;

/// The database file of `id` under `root`.
fn file(id: &VaultId, root: &Path) -> PathBuf {
    match &id.name {
        None => root.join(crate::store::sqlite::DB_FILE),
        Some(name) => root
            .join("vaults")
            .join(id.kind.as_str())
            .join(format!("{name}.db")),
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
        let (root, file) = (self.root.clone(), file(id, &self.root));
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
