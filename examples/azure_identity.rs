//! Real Azure: every client takes an `azure_identity` credential as is.
//!
//! ```sh
//! az login
//! AZURE_KEYVAULT_URL=https://myvault.vault.azure.net cargo run --example azure_identity
//! ```
//!
//! Without `AZURE_KEYVAULT_URL` it only builds the clients (nothing is sent). In production,
//! use `ManagedIdentityCredential::new(None)?` or `WorkloadIdentityCredential::new(None)?`
//! in place of `DeveloperToolsCredential`.

#[path = "support/mod.rs"]
mod support;

use azure_identity::DeveloperToolsCredential;
use keyvault::{
    CryptographyClient, KeyClient, KeyVaultAccessControlClient, KeyVaultBackupClient,
    KeyVaultSettingsClient,
};
use support::BoxError;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    support::finish(run().await)
}

async fn run() -> Result<(), BoxError> {
    let url = std::env::var("AZURE_KEYVAULT_URL").ok();
    let vault = url.as_deref().unwrap_or("https://myvault.vault.azure.net");
    let hsm = "https://myhsm.managedhsm.azure.net";
    let credential = DeveloperToolsCredential::new(None)?;

    // The credential passes straight in: no adapter.
    let keys = KeyClient::new(vault, credential.clone(), None)?;
    let crypto =
        CryptographyClient::new(&format!("{vault}/keys/signing"), credential.clone(), None)?;
    let access = KeyVaultAccessControlClient::new(hsm, credential.clone(), None)?;
    let backup = KeyVaultBackupClient::new(hsm, credential.clone(), None)?;
    let settings = KeyVaultSettingsClient::new(hsm, credential, None)?;
    println!(
        "clients for {} ({:?}), {}, {}, {}",
        keys.vault_url(),
        crypto.key_id(),
        access.vault_url(),
        backup.vault_url(),
        settings.vault_url()
    );

    if url.is_some() {
        // Errors convert into azure_core::Error for code written against the official crates.
        let first = keys.list_key_properties(None).into_pages();
        let page = futures::StreamExt::next(&mut Box::pin(first)).await;
        match page.transpose() {
            Ok(page) => println!(
                "{} keys on the first page",
                page.map_or(0, |p| p.value.len())
            ),
            Err(e) => return Err(azure_core::Error::from(e).into()),
        }
    }
    Ok(())
}
