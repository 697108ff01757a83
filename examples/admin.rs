//! Managed HSM administration: roles and settings.
//!
//! `cargo run --example admin` (the built-in emulator, or the HSM in `AZURE_MANAGEDHSM_URL`).
//! Full backup and restore (`KeyVaultBackupClient`) need a Blob Storage container and a
//! SAS token; `tests/emulator_admin.rs` runs them against Azurite.

#[path = "support/mod.rs"]
mod support;

use futures::TryStreamExt;
use keyvault::admin::{
    KeyVaultAccessControlClient, KeyVaultAccessControlClientOptions, KeyVaultRoleScope,
    KeyVaultSettingsClient, KeyVaultSettingsClientOptions,
};
use support::{BoxError, Vault};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    support::finish(run().await)
}

async fn run() -> Result<(), BoxError> {
    let hsm = Vault::connect("AZURE_MANAGEDHSM_URL").await?;

    let access = KeyVaultAccessControlClient::new(
        &hsm.url,
        hsm.credential.clone(),
        Some(KeyVaultAccessControlClientOptions {
            client_options: hsm.options.clone(),
        }),
    )?;
    let roles: Vec<_> = access
        .list_role_definitions(&KeyVaultRoleScope::GLOBAL)
        .try_collect()
        .await?;
    println!("{} role definitions", roles.len());
    if let Some(role) = roles
        .iter()
        .find(|r| r.role_name == "Managed HSM Crypto User")
    {
        let principal = "00000000-0000-0000-0000-0000000000aa";
        let scope = KeyVaultRoleScope::KEYS;
        let assignment = access
            .create_role_assignment(&scope, &role.id, principal, None)
            .await?;
        println!("assigned {} to {principal}", role.role_name);
        access
            .delete_role_assignment(&scope, &assignment.name)
            .await?;
        println!("and removed the assignment again");
    }

    let settings = KeyVaultSettingsClient::new(
        &hsm.url,
        hsm.credential.clone(),
        Some(KeyVaultSettingsClientOptions {
            client_options: hsm.options.clone(),
        }),
    )?;
    for setting in settings.list_settings().await? {
        println!("setting {} = {}", setting.name, setting.value);
    }
    Ok(())
}
