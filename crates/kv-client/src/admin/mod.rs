//! Managed HSM administration clients: [`KeyVaultAccessControlClient`] (local RBAC: role
//! assignments and role definitions), [`KeyVaultBackupClient`] (full backup to Azure Blob
//! Storage, full and selective restore, pre-checks), [`KeyVaultSettingsClient`]
//! (account settings) and [`KeyVaultEkmClient`] (the External Key Manager connection,
//! api-version 2026-01-01-preview and later).
//!
//! They share the pipeline, errors and conventions of [`KeyClient`](crate::KeyClient):
//! `new(vault_url, credential, options)`, lists as [`Pager`](crate::Pager)s, long-running
//! operations as resumable [`Poller`](crate::Poller)s, and one [`Error`](crate::Error).
//! These services exist only on Managed HSM (`https://{name}.managedhsm.azure.net`); the
//! pipeline learns the token scope (`https://managedhsm.azure.net/.default`) from the
//! HSM's authentication challenge.

mod access_control;
mod backup;
mod ekm;
mod endpoint;
mod options;
mod roles;
mod settings;
#[cfg(test)]
mod test_hsm;

pub use access_control::KeyVaultAccessControlClient;
pub use backup::{
    BlobStorageAccess, KeyVaultBackupClient, KeyVaultBackupResult, KeyVaultPreCheckResult,
    KeyVaultRestoreResult,
};
pub use ekm::{
    KeyVaultEkmClient, KeyVaultEkmClientOptions, KeyVaultEkmConnection,
    KeyVaultEkmConnectivityMode, KeyVaultEkmPrivateEndpoint,
    KeyVaultEkmPrivateEndpointCreateParameters, KeyVaultEkmPrivateEndpointOperation,
    KeyVaultEkmProxyClientCertificateInfo, KeyVaultEkmProxyInfo,
};
pub use options::{
    CreateRoleAssignmentOptions, KeyVaultAccessControlClientOptions, KeyVaultBackupClientOptions,
    KeyVaultSettingsClientOptions, RestoreOptions, SetRoleDefinitionOptions,
};
pub use roles::{
    KeyVaultDataAction, KeyVaultPermission, KeyVaultRoleAssignment,
    KeyVaultRoleAssignmentProperties, KeyVaultRoleDefinition, KeyVaultRoleScope, KeyVaultRoleType,
};
pub use settings::{KeyVaultSetting, KeyVaultSettingType, KeyVaultSettingsClient};
