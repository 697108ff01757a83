//! [`AppState`]: what every handler shares (store, clock, vault settings, jobs).

use std::sync::Arc;

use kv_protocol::DeletionRecoveryLevel;

use crate::clock::Clock;
use crate::error::ApiError;
use crate::jobs::Jobs;
use crate::store::Store;
use crate::vaults::{VaultId, VaultKind, Vaults};

/// The smallest soft-delete retention the service allows, in days.
pub const MIN_RETENTION_DAYS: u32 = 7;
/// The largest (and default) soft-delete retention, in days.
pub const MAX_RETENTION_DAYS: u32 = 90;
/// The tenant named in the authentication challenge unless configured otherwise.
pub const DEFAULT_TENANT: &str = "00000000-0000-0000-0000-000000000000";

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
    /// The PEM certificate chain clients trust (the emulator's CA), sent as the
    /// `certificatePemFile` of key attestations.
    pub ca_pem: String,
    /// What plain addresses (`127.0.0.1`, `localhost`) answer as (`--kind`); named hosts
    /// choose for themselves (see [`crate::vaults`]).
    pub kind: VaultKind,
}

impl Default for VaultSettings {
    /// The settings of a default [`EmulatorConfig`](crate::EmulatorConfig): 90 days of
    /// retention, the challenge resource derived from the host, the default tenant, no
    /// attestation signers, no RBAC.
    fn default() -> Self {
        Self {
            retention_days: MAX_RETENTION_DAYS,
            challenge_resource: None,
            tenant_id: DEFAULT_TENANT.to_owned(),
            attestation_signers: Vec::new(),
            rbac: false,
            rbac_admins: Vec::new(),
            token_issuer: None,
            ca_pem: String::new(),
            kind: VaultKind::Vault,
        }
    }
}

impl VaultSettings {
    /// The recovery level reported on keys: `Recoverable+Purgeable` at the default
    /// retention of 90 days, `CustomizedRecoverable+Purgeable` below it (as the service).
    pub fn recovery_level(&self) -> DeletionRecoveryLevel {
        if self.retention_days >= MAX_RETENTION_DAYS {
            DeletionRecoveryLevel::RecoverablePurgeable
        } else {
            DeletionRecoveryLevel::CustomizedRecoverablePurgeable
        }
    }
}

/// Shared state of the HTTP application, bound to one vault or Managed HSM; cheap to
/// clone.
///
/// The router's state is bound to the default instance; the `bind_vault` middleware
/// (in `app.rs`) binds each request to the instance its host names and hands that to
/// the handlers (`AppState` is an extractor that reads it).
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
    bound: Arc<Bound>,
}

#[derive(Debug)]
struct Inner {
    vaults: Vaults,
    clock: Clock,
    settings: VaultSettings,
    scheduler: tokio::sync::Mutex<()>,
    jobs: Jobs,
}

#[derive(Debug)]
struct Bound {
    id: VaultId,
    store: Store,
}

impl AppState {
    /// State over an opened store, which serves the default instance (plain addresses,
    /// of kind `settings.kind`); named instances get files beside it.
    pub fn new(store: Store, clock: Clock, settings: VaultSettings) -> Self {
        let bound = Arc::new(Bound {
            id: VaultId {
                kind: settings.kind,
                name: None,
            },
            store: store.clone(),
        });
        Self {
            inner: Arc::new(Inner {
                vaults: Vaults::new(store, settings.kind),
                clock,
                settings,
                scheduler: tokio::sync::Mutex::new(()),
                jobs: Jobs::new(),
            }),
            bound,
        }
    }

    /// This state bound to `id` (opening its store on first use).
    pub(crate) async fn bind(&self, id: VaultId) -> Result<Self, ApiError> {
        if id == self.bound.id {
            return Ok(self.clone());
        }
        let store = self.inner.vaults.store(&id).await?;
        Ok(self.bound_to(id, store))
    }

    fn bound_to(&self, id: VaultId, store: Store) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            bound: Arc::new(Bound { id, store }),
        }
    }

    /// This state bound to every open instance (for the scheduler).
    pub(crate) fn every_vault(&self) -> Vec<Self> {
        self.inner
            .vaults
            .all()
            .into_iter()
            .map(|(id, store)| self.bound_to(id, store))
            .collect()
    }

    /// All instances' stores (opens the named ones on disk; blocking, call at start).
    pub fn vaults(&self) -> &Vaults {
        &self.inner.vaults
    }

    /// The instance this state is bound to.
    pub fn vault(&self) -> &VaultId {
        &self.bound.id
    }

    /// Whether the bound instance is a vault or a Managed HSM.
    pub fn kind(&self) -> VaultKind {
        self.bound.id.kind
    }

    /// The bound instance's database.
    pub fn store(&self) -> &Store {
        &self.bound.store
    }

    /// The movable clock.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Held for the length of one scheduler pass, so passes never overlap (a pass started
    /// by a test and one started by the background task would otherwise both rotate).
    pub(crate) async fn scheduler_guard(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.inner.scheduler.lock().await
    }

    /// Vault settings.
    pub fn settings(&self) -> &VaultSettings {
        &self.inner.settings
    }

    /// Backup and restore jobs.
    pub(crate) fn jobs(&self) -> &Jobs {
        &self.inner.jobs
    }
}

/// Handlers take the state bound to the request's instance (put there by the
/// `bind_vault` middleware; the default instance when it did not run, as in unit tests
/// of a single route).
impl axum::extract::FromRequestParts<AppState> for AppState {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<AppState>()
            .cloned()
            .unwrap_or_else(|| state.clone()))
    }
}
