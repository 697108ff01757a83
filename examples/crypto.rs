//! Cryptography: sign in the vault and verify locally; then a local-only client from a JWK.
//!
//! `cargo run --example crypto` (the built-in emulator, or the vault in `AZURE_KEYVAULT_URL`).

#[path = "support/mod.rs"]
mod support;

use keyvault::jwk::{KeyCurveName, SignatureAlgorithm};
use keyvault::{CryptographyClient, OperationLocation};
use support::{BoxError, Vault};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    support::finish(run().await)
}

async fn run() -> Result<(), BoxError> {
    let vault = Vault::connect("AZURE_KEYVAULT_URL").await?;
    let keys = vault.key_client()?;
    let name = support::unique("example-crypto");
    let key = keys.create_ec_key(&name, None).await?;

    // The private key never leaves the vault: signing is remote. The client keeps the
    // public key, so verifying needs no request.
    let crypto = keys.get_cryptography_client(key.name(), None)?;
    let message = b"an order to ship 3 crates";
    let signed = crypto.sign_data(SignatureAlgorithm::Es256, message).await?;
    let verified = crypto
        .verify_data(SignatureAlgorithm::Es256, message, &signed.signature)
        .await?;
    println!(
        "signed in the vault: {}",
        signed.location == OperationLocation::Remote
    );
    println!(
        "verified locally: {} (valid: {})",
        verified.location == OperationLocation::Local,
        verified.is_valid
    );

    // A key you hold yourself: no vault, no network.
    let jwk = keyvault::local_crypto::generate_ec(&KeyCurveName::P256)?;
    let local = CryptographyClient::from_jwk(jwk)?;
    let signed = local.sign_data(SignatureAlgorithm::Es256, message).await?;
    let verified = local
        .verify_data(SignatureAlgorithm::Es256, message, &signed.signature)
        .await?;
    println!("local-only key: valid signature {}", verified.is_valid);

    keys.delete_key(&name, None).await?.await?;
    Ok(())
}
