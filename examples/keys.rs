//! Keys: create, list, rotate, delete and recover.
//!
//! `cargo run --example keys` (the built-in emulator, or the vault in `AZURE_KEYVAULT_URL`).

#[path = "support/mod.rs"]
mod support;

use futures::TryStreamExt;
use keyvault::{CreateKeyOptions, ListOptions};
use support::{BoxError, Vault};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    support::finish(run().await)
}

async fn run() -> Result<(), BoxError> {
    let vault = Vault::connect("AZURE_KEYVAULT_URL").await?;
    let keys = vault.key_client()?;
    let name = support::unique("example-keys");

    let options = CreateKeyOptions {
        key_size: Some(2048),
        ..Default::default()
    };
    let key = keys.create_rsa_key(&name, Some(options)).await?;
    println!("created {}", key.id());

    let rotated = keys.rotate_key(&name).await?;
    println!(
        "rotated to version {}",
        rotated.id().version().unwrap_or("?")
    );

    let versions: Vec<_> = keys
        .list_key_properties_versions(&name, Some(ListOptions::default()))?
        .try_collect()
        .await?;
    println!("{name} has {} versions", versions.len());

    let deleted = keys.delete_key(&name, None).await?.await?;
    println!(
        "deleted {}; recoverable: {}",
        deleted.name(),
        deleted.recovery_id.is_some()
    );
    if deleted.recovery_id.is_some() {
        let recovered = keys.recover_deleted_key(&name, None).await?.await?;
        println!("recovered {}", recovered.name());
        keys.delete_key(&name, None).await?.await?;
        keys.purge_deleted_key(&name).await?;
        println!("deleted and purged again");
    }
    Ok(())
}
