//! A local HTTPS server that behaves like Azure Key Vault and Managed HSM (keys,
//! cryptography and administration), so the official SDKs and our own client can be
//! tested without an Azure account.
//!
//! Run the binary — `kv-emulator --listen 127.0.0.1:0 --data-dir DIR` prints
//! `kv-emulator listening on https://127.0.0.1:PORT` once it accepts connections — or start
//! it in-process:
//!
//! ```no_run
//! # async fn demo() -> Result<(), kv_emulator::StartError> {
//! let dir = std::env::temp_dir().join("kv-emulator-doc");
//! let emulator = kv_emulator::Emulator::builder().data_dir(&dir).start().await?;
//! println!("vault at {}, trust:\n{}", emulator.url(), emulator.ca_pem());
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Vault or Managed HSM
//!
//! One emulator serves many vaults and Managed HSMs, chosen by the host name the client
//! uses: `NAME.vault.localhost` is the vault `NAME`, `NAME.managedhsm.localhost` the
//! Managed HSM `NAME` (also under `.vault.azure.net` / `.managedhsm.azure.net` when mapped
//! in a hosts file); plain addresses answer as `--kind vault|managedhsm`
//! ([`EmulatorBuilder::kind`], default vault). Each has its own keys, deleted keys,
//! rotation policies, roles and settings, and answers as that service does
//! ([`vaults`]; the crate's README lists how the two differ as recorded); a vault answers
//! the administration APIs 404.
//!
//! # Connecting
//!
//! - **TLS.** The emulator creates a small CA and a server certificate for `localhost`,
//!   `*.localhost`, `*.vault.localhost`, `*.managedhsm.localhost`, the Azure suffixes,
//!   `127.0.0.1`, `::1` and the names of `--tls-san` once per data directory (see [`tls`]),
//!   and writes `DIR/tls/cert.pem` (server certificate and CA) and `DIR/tls/ca.pem`. Trust that file
//!   (`REQUESTS_CA_BUNDLE` or `connection_verify=` in Python, `add_root_certificate` in
//!   reqwest), or bring your own with `--tls-cert`/`--tls-key`.
//! - **Authentication.** Any `Authorization: Bearer <token>` is accepted (with
//!   `--auth strict`, only tokens the emulator issued itself: see [`oauth`]); without one
//!   the answer is Key Vault's 401 challenge. Its `resource` must satisfy the SDKs' check that
//!   the vault host ends with `.` + the resource's host. Two ways to connect:
//!   1. Use a vault URL with a parent domain, such as
//!      `https://myvault.vault.localhost:PORT` (names under `.localhost` resolve to the
//!      loopback address on most systems; otherwise map it in `/etc/hosts`). The challenge
//!      then names `https://vault.localhost:PORT` and the SDKs' check passes unchanged.
//!   2. Use `https://127.0.0.1:PORT` and switch the check off
//!      (`verify_challenge_resource=False` in Python, `verify_challenge_resource: false`
//!      in the Rust SDK's options). The challenge then names `https://vault.azure.net`
//!      (`https://managedhsm.azure.net` with `--kind managedhsm`).
//!
//!   `--challenge-resource URL` fixes the resource instead.
//! - **Time.** The emulator's clock can be moved ([`EmulatorHandle::travel`],
//!   `POST /_emulator/clock` while it runs, or `--clock-offset SECONDS` at start) so
//!   rotation policies and purge dates can be tested without sleeping.
//! - **Configuration.** Every flag of the binary also reads `KV_EMULATOR_<FLAG>` and an
//!   optional TOML `--config` file ([`config`]); `GET /healthz` serves container health
//!   checks; `--throttle` answers 429 like the service ([`throttle`]).
//!
//! # Key release
//!
//! Exportable keys with a release policy are released only for an attestation token (a
//! JWT) signed by a key the emulator was told to trust (`--attestation-jwks FILE` or
//! [`EmulatorBuilder::trust_attestation_signer`]) whose claims satisfy the policy; see
//! `src/release/token.rs` for the exact rules. The key comes back wrapped to the token's
//! runtime RSA key (`x-ms-runtime.keys`) as the service does (`key_hsm`).
//! `GET /generate-test-token` makes the emulator its own attestation service for the
//! SDKs' release tests (`AZURE_KEYVAULT_ATTESTATION_URL` set to the emulator's URL):
//! see `src/release/test_service.rs`.
//!
//! # The 2026 api-versions
//!
//! Requests at 2026-01-01-preview, 2026-03-01-preview, 2026-04-01, 2026-05-01-preview and
//! 2026-07-01-preview are served as well as 7.0 to 2025-07-01. Keys report
//! `attributes.key_size` at every version, as the live service does. Secure key wrap
//! (`securewrapkey`) generates an AES-256 key and wraps it; secure unwrap answers
//! it only for an attestation token trusted and allowed by the key's release policy, the
//! same checks as key release, and answers it encrypted with RSA-OAEP-256 to the token's
//! runtime RSA key (as the live Managed HSM's recorded 256-byte answer shows), not in plain. The External Key Manager connection (`/ekm...`) is
//! recorded in each Managed HSM's own database, not contacted: `check` answers as a
//! documented test double, and external key references (`attributes.external_key`) are
//! backed by an AES-256 key the emulator holds in place of the external HSM. With `--rbac` the EKM operations need the `ekm/read`, `ekm/write` and
//! `ekm/delete` data actions, which the built-in Managed HSM EKM Administrator role grants
//! (the Administrator does not, as the service lists them). EKM proxy private
//! endpoints (`/ekm/privateendpoint...`, 2026-07-01-preview only) are recorded per Managed
//! HSM too; their create and delete operations finish at once (no Private Link Service).
//!
//! # Managed HSM administration
//!
//! The emulator also serves the Managed HSM administration APIs
//! (`/providers/Microsoft.Authorization/...`, `/backup`, `/restore`, `/settings`, `/ekm`):
//! the nine built-in roles and custom role definitions, role assignments, full backup / full restore / selective key restore to Azure Blob Storage
//! (written with the Blob REST API and a SAS token, see [`blob`]; Azurite works, and
//! the `azurite` module, feature `azurite`, starts one for tests), and settings.
//! Role-based access control is enforced only with `--rbac` ([`EmulatorBuilder::rbac`]);
//! the principal is the `oid` claim of the bearer token, read without verifying it
//! ([`rbac`] says how tests mint one).
//!
//! # Fault injection (feature `faults`)
//!
//! `--faults SPEC` (`EmulatorBuilder::faults`) answers a deterministic, seeded share of
//! requests with 429 (with `Retry-After`), 503, a dropped connection before or after the
//! operation ran, or added latency; see the `faults` module for the syntax and
//! `EmulatorHandle::faults` for the log of what was injected.
//!
//! # Storage
//!
//! State lives in SQLite (`DIR/keyvault.db`, WAL, `synchronous=FULL`): an answered write
//! survives `kill -9`. Private key material is sealed with AES-256-GCM under keys derived
//! from `DIR/master.key` (32 random bytes, mode 0600).
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

pub(crate) mod app;
pub(crate) mod auth;
#[cfg(feature = "azurite")]
#[cfg_attr(docsrs, doc(cfg(feature = "azurite")))]
pub mod azurite;
pub mod blob;
pub(crate) mod clock;
pub mod config;
pub(crate) mod error;
#[cfg(feature = "faults")]
#[cfg_attr(docsrs, doc(cfg(feature = "faults")))]
pub mod faults;
pub(crate) mod jobs;
pub(crate) mod keymat;
pub(crate) mod logging;
pub(crate) mod management;
pub(crate) mod names;
pub mod oauth;
pub(crate) mod paging;
pub(crate) mod personality;
pub mod rbac;
pub(crate) mod release;
pub(crate) mod request;
pub(crate) mod routes;
pub(crate) mod scheduler;
mod server;
pub(crate) mod service;
pub(crate) mod state;
pub(crate) mod store;
pub mod throttle;
pub mod tls;
pub(crate) mod usage;
pub mod vaults;

pub use app::router;
pub use clock::Clock;
pub use config::EmulatorConfig;
pub use error::{ApiError, StartError};
pub use request::MAX_BODY_BYTES;
pub use server::{Emulator, EmulatorBuilder, EmulatorHandle};
pub use state::{AppState, VaultSettings};
pub use store::Store;
