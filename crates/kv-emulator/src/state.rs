//! [`AppState`]: what every handler shares (store, clock, vault settings, jobs).

use std::sync::Arc;

use kv_protocol::DeletionRecoveryLevel;

use crate::clock::Clock;
use crate::jobs::Jobs;
use crate::store::Store;

/// Vault-wide settings the handlers need.
#[derive(Clone, Debug)]
pub struct VaultSettings {
    /// Soft-delete retention in days.
    pub retention_days: u32,
    /// Fixed challenge resource, or `None` to derive it from the request's host.
    pub challenge_resource: Option<String>,
    /// Tenant named in the challenge.
    pub tenant_id: String,
    /// Public keys whose attestation tokens are trusted for key release.
    pub attestation_signers: Vec<kv_jwk::JsonWebKey>,
    /// Whether role-based access control is enforced (see [`crate::rbac`]).
    pub rbac: bool,
    /// Principals (`oid`s) that hold the Administrator role at `/` from the start.
    pub rbac_admins: Vec<String>,
    /// The emulator's own token issuer under `--auth strict` (see [`crate::oauth`]);
    /// `None` accepts any bearer token.
    pub token_issuer: Option<Arc<crate::oauth::TokenIssuer>>,
}

impl Default for VaultSettings {
    /// The settings of a default [`EmulatorConfig`](crate::EmulatorConfig): 90 days of
    /// retention, the challenge resource derived from the host, the default tenant, no
    /// attestation signers, no RBAC.
    fn default() -> Self {
        Self {
            retention_days: crate::config::MAX_RETENTION_DAYS,
            challenge_resource: None,
            tenant_id: crate::config::DEFAULT_TENANT.to_owned(),
            attestation_signers: Vec::new(),
            rbac: false,
            rbac_admins: Vec::new(),
            token_issuer: None,
        }
    }
}

impl VaultSettings {
    /// The recovery level reported on keys: `Recoverable+Purgeable` at the default
    /// retention of 90 days, `CustomizedRecoverable+Purgeable` below it (as the service).
    pub fn recovery_level(&self) -> DeletionRecoveryLevel {
        if self.retention_days >= crate::config::MAX_RETENTION_DAYS {
            DeletionRecoveryLevel::RecoverablePurgeable
        } else {
            DeletionRecoveryLevel::CustomizedRecoverablePurgeable
        }
    }
}

/// Shared state of the HTTP application; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    clock: Clock,
    settings: VaultSettings,
    scheduler: tokio::sync::Mutex<()>,
    jobs: Jobs,
    ekm: crate::routes::admin::ekm::EkmState,
}

impl AppState {
    /// State over an opened store.
    pub fn new(store: Store, clock: Clock, settings: VaultSettings) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                clock,
                settings,
                scheduler: tokio::sync::Mutex::new(()),
                jobs: Jobs::new(),
                ekm: Default::default(),
            }),
        }
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The movable clock.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Held for the length of one scheduler pass, so passes never overlap (a pass started
    /// by a test and one started by the background task would otherwise both rotate).
    pub async fn scheduler_guard(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.inner.scheduler.lock().await
    }

    /// Vault settings.
    pub fn settings(&self) -> &VaultSettings {
        &self.inner.settings
    }

    /// Backup and restore jobs.
    pub fn jobs(&self) -> &Jobs {
        &self.inner.jobs
    }

    /// The Managed HSM External Key Manager connection.
    pub fn ekm(&self) -> &crate::routes::admin::ekm::EkmState {
        &self.inner.ekm
    }
}
