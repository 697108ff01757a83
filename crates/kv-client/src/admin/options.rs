//! Options of the administration clients and their methods.
//!
//! As elsewhere in this crate, each method with optional parameters takes
//! `Option<SomethingOptions>`; pass `None` for the defaults.

use kv_core::PollerOptions;

use super::roles::{KeyVaultPermission, KeyVaultRoleScope};

/// Options of [`KeyVaultAccessControlClient::new`](super::KeyVaultAccessControlClient::new).
#[derive(Clone, Debug, Default)]
pub struct KeyVaultAccessControlClientOptions {
    /// Pipeline options: `api_version`, `verify_challenge_resource`, retries, extra CA
    /// certificates (the emulator's), transport.
    pub client_options: kv_core::ClientOptions,
}

/// Options of [`KeyVaultBackupClient::new`](super::KeyVaultBackupClient::new).
#[derive(Clone, Debug, Default)]
pub struct KeyVaultBackupClientOptions {
    /// Pipeline options, as for the other clients.
    pub client_options: kv_core::ClientOptions,
}

/// Options of [`KeyVaultSettingsClient::new`](super::KeyVaultSettingsClient::new).
#[derive(Clone, Debug, Default)]
pub struct KeyVaultSettingsClientOptions {
    /// Pipeline options, as for the other clients.
    pub client_options: kv_core::ClientOptions,
}

/// Options of `create_role_assignment`.
#[derive(Clone, Debug, Default)]
pub struct CreateRoleAssignmentOptions {
    /// The assignment's name, a GUID; `None` generates a random (v4) one.
    pub name: Option<String>,
}

/// Options of `set_role_definition`: what the custom role is. Absent members are sent as
/// the service's defaults (empty name and description, no permissions).
#[derive(Clone, Debug, Default)]
pub struct SetRoleDefinitionOptions {
    /// The definition's name, a GUID: an existing one is updated; `None` creates a new
    /// definition with a random (v4) name.
    pub name: Option<String>,
    /// The display name.
    pub role_name: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// What the role allows and excludes.
    pub permissions: Vec<KeyVaultPermission>,
    /// The scopes the role can be assigned at (`None` leaves the service's default).
    pub assignable_scopes: Option<Vec<KeyVaultRoleScope>>,
}

/// Options of `begin_restore`.
#[derive(Clone, Debug, Default)]
pub struct RestoreOptions {
    /// Restore only this key from the backup (a selective key restore); `None` restores
    /// the whole backup.
    pub key_name: Option<String>,
    /// How the returned poller polls.
    pub poller_options: PollerOptions,
}
