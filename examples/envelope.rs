//! Envelope encryption under a vault key: encrypt, decrypt, rotate the key, rewrap.
//!
//! Each message gets its own data key, wrapped by the vault key; only the wrapped data key
//! travels with the ciphertext. `cargo run --example envelope`.

#[path = "support/mod.rs"]
mod support;

use keyvault::envelope::{EnvelopeClient, KeyVaultWrapper};
use support::{BoxError, Vault};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    support::finish(run().await)
}

async fn run() -> Result<(), BoxError> {
    let vault = Vault::connect("AZURE_KEYVAULT_URL").await?;
    let keys = vault.key_client()?;
    let name = support::unique("example-envelope");
    keys.create_rsa_key(&name, None).await?;

    let envelopes = EnvelopeClient::new(KeyVaultWrapper::new(&keys, &name)?, None)?;
    // The context is authenticated but not stored: decrypt must present it again.
    let context = b"tenant=contoso";
    let sealed = envelopes
        .encrypt(b"card 4111 1111 1111 1111", context)
        .await?;
    println!("encrypted {} bytes", sealed.len());

    keys.rotate_key(&name).await?;
    envelopes.wrapper().refresh()?; // use the new version at once
    let rewrapped = envelopes.rewrap(&sealed).await?;
    println!("rewrapped the data key to the new key version");

    let plain = envelopes.decrypt(&rewrapped, Some(context)).await?;
    println!("decrypted: {}", String::from_utf8_lossy(&plain));

    keys.delete_key(&name, None).await?.await?;
    Ok(())
}
