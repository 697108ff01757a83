//! Starting and stopping the HTTPS server: [`Emulator`], [`EmulatorBuilder`] and
//! [`EmulatorHandle`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::middleware::from_fn_with_state;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::app::router;
use crate::clock::Clock;
use crate::config::EmulatorConfig;
use crate::error::{ApiError, StartError};
#[cfg(feature = "faults")]
use crate::faults::{ConnectionKill, FaultSpec, Faults, inject};
use crate::scheduler;
use crate::state::{AppState, VaultSettings};
use crate::store::Store;
use crate::throttle::Throttle;
use crate::tls::TlsMaterial;

/// How long a client gets to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The emulator: start it with [`Emulator::builder`] or [`Emulator::start`].
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder with default settings (listen on `127.0.0.1:0`).
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// Opens the data directory, binds the socket and starts serving HTTPS and the
    /// background scheduler on the current Tokio runtime.
    ///
    /// # Errors
    /// [`StartError`] when the configuration is invalid, the data directory, TLS material
    /// or database cannot be used, or the address cannot be bound.
    pub async fn start(config: EmulatorConfig) -> Result<EmulatorHandle, StartError> {
        config.validate()?;
        let data_dir = config.resolved_data_dir()?;
        let (tls, store) = {
            let config = config.clone();
            let data_dir = data_dir.clone();
            tokio::task::spawn_blocking(move || -> Result<_, StartError> {
                std::fs::create_dir_all(&data_dir).map_err(|e| StartError::io(&data_dir, e))?;
                let tls = match (&config.tls_cert, &config.tls_key) {
                    (Some(cert), Some(key)) => TlsMaterial::from_files(cert, key)?,
                    _ => TlsMaterial::load_or_create_with(&data_dir, &config.tls_sans)?,
                };
                let store = Store::open(&data_dir)?;
                Ok((tls, store))
            })
            .await
            .map_err(|e| StartError::Storage(format!("startup task failed: {e}")))??
        };
        let acceptor = TlsAcceptor::from(tls.server_config()?);
        let clock = Clock::with_offset(config.clock_offset_secs);
        let state = AppState::new(
            store,
            clock.clone(),
            VaultSettings {
                retention_days: config.retention_days,
                challenge_resource: config.challenge_resource.clone(),
                tenant_id: config.tenant_id.clone(),
                attestation_signers: config.load_attestation_signers()?,
                rbac: config.rbac,
                rbac_admins: config.rbac_admins.clone(),
                token_issuer: match config.auth {
                    crate::oauth::AuthMode::Strict => {
                        Some(Arc::new(crate::oauth::TokenIssuer::generate()?))
                    }
                    _ => None,
                },
                ca_pem: tls.trust_pem.clone(),
                kind: config.kind,
            },
        );
        {
            let state = state.clone();
            tokio::task::spawn_blocking(move || state.vaults().open_existing())
                .await
                .map_err(|e| StartError::Storage(format!("startup task failed: {e}")))??;
        }
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| StartError::Bind {
                    addr: config.listen.to_string(),
                    source,
                })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.listen.to_string(),
            source,
        })?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let app = router(state.clone());
        #[cfg(feature = "faults")]
        let faults = config.faults.clone().map(Faults::new);
        #[cfg(feature = "faults")]
        let app = match &faults {
            Some(faults) => app.layer(from_fn_with_state(faults.clone(), inject)),
            None => app,
        };
        let throttle = config.throttle.clone().map(Throttle::new);
        let app = match &throttle {
            Some(throttle) => app.layer(from_fn_with_state(
                (throttle.clone(), state.clone()),
                crate::throttle::limit,
            )),
            None => app,
        };
        let server = tokio::spawn(serve(listener, acceptor, app, shutdown_rx.clone()));
        let scheduler = tokio::spawn(scheduler::run(
            state.clone(),
            config.scheduler_interval,
            shutdown_rx,
        ));
        tracing::info!(%addr, data_dir = %data_dir.display(), "kv-emulator started");
        Ok(EmulatorHandle {
            addr,
            url: format!("https://{addr}"),
            ca_pem: tls.trust_pem.clone(),
            data_dir,
            state,
            #[cfg(feature = "faults")]
            faults,
            throttle,
            shutdown_tx,
            tasks: Some((server, scheduler)),
        })
    }
}

async fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    app: axum::Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let app = app.clone();
                connections.spawn(async move {
                    let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                        Ok(Ok(stream)) => stream,
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => return,
                    };
                    // Fault injection drops the connection through this switch.
                    #[cfg(feature = "faults")]
                    let (app, kill) = {
                        let kill = ConnectionKill::default();
                        let switch = kill.clone();
                        let app = tower::ServiceExt::map_request(
                            app,
                            move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                                request.extensions_mut().insert(switch.clone());
                                request
                            },
                        );
                        (app, kill)
                    };
                    let service = TowerToHyperService::new(app);
                    let builder = auto::Builder::new(TokioExecutor::new());
                    let connection = builder.serve_connection_with_upgrades(TokioIo::new(tls), service);
                    #[cfg(not(feature = "faults"))]
                    let dropped = std::future::pending::<()>();
                    #[cfg(feature = "faults")]
                    let dropped = kill.0.notified();
                    tokio::select! {
                        result = connection => {
                            if let Err(e) = result {
                                tracing::debug!(%peer, error = %e, "connection ended with an error");
                            }
                        }
                        () = dropped => {
                            tracing::debug!(%peer, "connection dropped by fault injection");
                        }
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    connections.shutdown().await;
}

/// Settings for [`Emulator`], applied by [`EmulatorBuilder::start`].
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct EmulatorBuilder {
    config: EmulatorConfig,
}

impl EmulatorBuilder {
    /// The address to listen on (default `127.0.0.1:0`).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.config.listen = addr;
        self
    }

    /// The data directory (database, master key, TLS material).
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config.data_dir = Some(dir.into());
        self
    }

    /// Serve this PEM certificate chain and key instead of the generated pair.
    pub fn tls_files(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.config.tls_cert = Some(cert.into());
        self.config.tls_key = Some(key.into());
        self
    }

    /// Adds a DNS name or IP address to the generated certificate (repeatable); see
    /// [`crate::tls`].
    pub fn tls_san(mut self, name: impl Into<String>) -> Self {
        self.config.tls_sans.push(name.into());
        self
    }

    /// Soft-delete retention in days (7 to 90, default 90).
    pub fn retention_days(mut self, days: u32) -> Self {
        self.config.retention_days = days;
        self
    }

    /// A fixed `resource` for the authentication challenge.
    pub fn challenge_resource(mut self, resource: impl Into<String>) -> Self {
        self.config.challenge_resource = Some(resource.into());
        self
    }

    /// The tenant named in the challenge.
    pub fn tenant_id(mut self, tenant: impl Into<String>) -> Self {
        self.config.tenant_id = tenant.into();
        self
    }

    /// Start the clock this many seconds away from the system time.
    pub fn clock_offset_secs(mut self, secs: i64) -> Self {
        self.config.clock_offset_secs = secs;
        self
    }

    /// Trust attestation tokens signed by `signer` (its public part) for key release.
    pub fn trust_attestation_signer(mut self, signer: &kv_jwk::JsonWebKey) -> Self {
        self.config.attestation_signers.push(signer.to_public());
        self
    }

    /// Trust the attestation signers of a JWKS file (`{"keys": [...]}`).
    pub fn attestation_jwks(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.attestation_jwks = Some(path.into());
        self
    }

    /// How often the scheduler runs without being woken by a clock move.
    pub fn scheduler_interval(mut self, interval: Duration) -> Self {
        self.config.scheduler_interval = interval;
        self
    }

    /// Enforce Managed HSM role-based access control (off by default); see
    /// [`crate::rbac`].
    pub fn rbac(mut self, enabled: bool) -> Self {
        self.config.rbac = enabled;
        self
    }

    /// Give principal `oid` the Administrator role at `/` from the start, so it can
    /// create the other role assignments when RBAC is enforced.
    pub fn rbac_admin(mut self, oid: impl Into<String>) -> Self {
        self.config.rbac_admins.push(oid.into());
        self
    }

    /// What plain addresses (`127.0.0.1`, `localhost`) answer as: a vault (the default)
    /// or a Managed HSM. Named hosts (`NAME.vault.localhost`, `NAME.managedhsm.localhost`)
    /// choose for themselves; see [`crate::vaults`].
    pub fn kind(mut self, kind: crate::vaults::VaultKind) -> Self {
        self.config.kind = kind;
        self
    }

    /// Inject faults (see [`crate::faults`]); the spec is checked by `start`.
    #[cfg(feature = "faults")]
    #[cfg_attr(docsrs, doc(cfg(feature = "faults")))]
    pub fn faults(mut self, spec: FaultSpec) -> Self {
        self.config.faults = Some(spec);
        self
    }

    /// Throttle like the service (see [`crate::throttle`]).
    pub fn throttle(mut self, spec: crate::throttle::ThrottleSpec) -> Self {
        self.config.throttle = Some(spec);
        self
    }

    /// How bearer tokens are checked: [`AuthMode::Strict`](crate::oauth::AuthMode::Strict)
    /// accepts only tokens the emulator issued (see [`crate::oauth`]).
    pub fn auth(mut self, mode: crate::oauth::AuthMode) -> Self {
        self.config.auth = mode;
        self
    }

    /// The configuration built so far.
    pub fn config(&self) -> &EmulatorConfig {
        &self.config
    }

    /// Starts the emulator; see [`Emulator::start`].
    ///
    /// # Errors
    /// As [`Emulator::start`].
    pub async fn start(self) -> Result<EmulatorHandle, StartError> {
        Emulator::start(self.config).await
    }
}

/// A running emulator. Dropping it stops the server (as [`EmulatorHandle::shutdown`] does,
/// without waiting).
#[derive(Debug)]
pub struct EmulatorHandle {
    addr: SocketAddr,
    url: String,
    ca_pem: String,
    data_dir: PathBuf,
    state: AppState,
    #[cfg(feature = "faults")]
    faults: Option<Arc<Faults>>,
    throttle: Option<Throttle>,
    shutdown_tx: watch::Sender<bool>,
    tasks: Option<(JoinHandle<()>, JoinHandle<()>)>,
}

impl EmulatorHandle {
    /// The bound address (with the real port when started on port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The vault URL: `https://ADDR`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL of the vault or Managed HSM `name` on this emulator:
    /// `https://NAME.vault.localhost:PORT` or `https://NAME.managedhsm.localhost:PORT`.
    /// Names under `.localhost` need a resolver that maps them to the loopback address
    /// (most do; otherwise a hosts-file entry or the client's resolve override).
    pub fn url_for(&self, kind: crate::vaults::VaultKind, name: &str) -> String {
        format!("https://{name}.{kind}.localhost:{}", self.addr.port())
    }

    /// The PEM certificate a client should trust to reach this emulator.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The data directory in use.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The fault injector, when started with faults: its log says what was injected.
    #[cfg(feature = "faults")]
    #[cfg_attr(docsrs, doc(cfg(feature = "faults")))]
    pub fn faults(&self) -> Option<&Faults> {
        self.faults.as_deref()
    }

    /// The throttle, when started with one: it counts the requests it refused.
    pub fn throttle(&self) -> Option<&Throttle> {
        self.throttle.as_ref()
    }

    /// The emulator's clock.
    pub fn clock(&self) -> &Clock {
        self.state.clock()
    }

    /// Moves the emulator's clock forward (and wakes the scheduler).
    pub fn advance_clock(&self, by: Duration) {
        self.state.clock().advance(by);
    }

    /// A token the emulator accepts under `--auth strict`, for principal `oid` and
    /// `audience` (the challenge resource: `https://vault.azure.net` for an IP address URL
    /// such as [`url`](Self::url)); what the token endpoints would issue.
    ///
    /// # Errors
    /// [`ApiError::BadParameter`] when the emulator does not run with strict auth.
    pub fn issue_token(&self, oid: &str, audience: &str) -> Result<String, ApiError> {
        let settings = self.state.settings();
        let issuer = settings
            .token_issuer
            .as_ref()
            .ok_or_else(|| ApiError::bad("The emulator does not run with --auth strict."))?;
        issuer.sign(&issuer.claims(&self.url, &settings.tenant_id, audience, oid))
    }

    /// Moves the emulator's clock forward by `by` and runs one scheduler pass at once, as
    /// `POST /_emulator/clock` does; returns how many keys that pass purged and rotated.
    ///
    /// # Errors
    /// [`ApiError`] when the store fails.
    pub async fn travel(&self, by: Duration) -> Result<(usize, usize), ApiError> {
        crate::management::advance(&self.state, by).await
    }

    /// Runs one scheduler pass now (purges and policy rotations that are due) and returns
    /// how many keys were purged and rotated. Tests call it after moving the clock to
    /// observe the effects without waiting.
    ///
    /// # Errors
    /// [`ApiError`] when the store fails.
    pub async fn run_scheduler(&self) -> Result<(usize, usize), ApiError> {
        scheduler::tick(&self.state).await
    }

    /// Stops accepting, closes connections, stops the scheduler and aborts running
    /// backup and restore jobs.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        self.state.jobs().shutdown();
        if let Some((server, scheduler)) = self.tasks.take() {
            let _ = server.await;
            let _ = scheduler.await;
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
        self.state.jobs().shutdown();
    }
}
