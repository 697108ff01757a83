//! Blocking Managed HSM administration clients: each forwards to the async client of the
//! same name in [`crate::admin`], whose option and model types it uses.

mod access_control;
mod backup;
mod ekm;
mod settings;

pub use access_control::KeyVaultAccessControlClient;
pub use backup::KeyVaultBackupClient;
pub use ekm::KeyVaultEkmClient;
pub use settings::KeyVaultSettingsClient;
