//! Quickstart, the README's first command: `cargo run --release --example quickstart`.
//!
//! With `AZURE_KEYVAULT_URL` set it uses that vault and signs in with
//! `azure_identity::DeveloperToolsCredential` (`az login` or `azd auth login`); otherwise it
//! starts the built-in emulator in this process: nothing to install, no account needed.
//!
//! Create two keys, sign in the vault and verify locally, envelope-encrypt and decrypt,
//! clean up. The other examples go further into each area.

#[path = "support/mod.rs"]
mod support;

use keyvault::envelope::KeyVaultWrapper;
use keyvault::jwk::SignatureAlgorithm;
use keyvault::signature::{Signature, Verifier, VerifyingKey};
use keyvault::{EnvelopeClient, OperationLocation};
use support::{BoxError, Vault};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    support::finish(run().await)
}

/// The whole quickstart (`tests/quickstart.rs` runs it in both modes).
pub async fn run() -> Result<(), BoxError> {
    let vault = Vault::connect("AZURE_KEYVAULT_URL").await?;
    let keys = vault.key_client()?;
    let ec_name = support::unique("quickstart-ec");
    let rsa_name = support::unique("quickstart-rsa");

    // 1. Keys: the private halves never leave the vault.
    let ec = keys.create_ec_key(&ec_name, None).await?;
    keys.create_rsa_key(&rsa_name, None).await?;
    println!("1. created keys {ec_name} (EC P-256) and {rsa_name} (RSA)");

    // 2. Sign in the vault; verify locally with the public key (no request).
    let crypto = keys.get_cryptography_client(&ec_name, None)?;
    let message = b"ship 3 crates to Contoso";
    let signed = crypto.sign_data(SignatureAlgorithm::Es256, message).await?;
    let verified = crypto
        .verify_data(SignatureAlgorithm::Es256, message, &signed.signature)
        .await?;
    let forged = crypto
        .verify_data(SignatureAlgorithm::Es256, b"ship 300", &signed.signature)
        .await?;
    if signed.location != OperationLocation::Remote
        || verified.location != OperationLocation::Local
        || !verified.is_valid
        || forged.is_valid
    {
        return Err("sign in the vault / verify locally did not behave".into());
    }
    // The same check through the `signature` crate's `Verifier` (JWT libraries use it).
    let verifier = VerifyingKey::new(&ec.key, SignatureAlgorithm::Es256)?;
    verifier.verify(message, &Signature::from(signed.signature.clone()))?;
    println!("2. signed in the vault, verified locally; a forged message is rejected");

    // 3. Envelope encryption: a fresh data key per message, wrapped by the RSA key.
    let envelopes = EnvelopeClient::new(KeyVaultWrapper::new(&keys, &rsa_name)?, None)?;
    let context = b"app=quickstart"; // authenticated, not stored: decrypt presents it again
    let sealed = envelopes.encrypt(b"the launch code", context).await?;
    let opened = envelopes.decrypt(&sealed, Some(context)).await?;
    if &opened[..] != b"the launch code" {
        return Err("the envelope did not round-trip".into());
    }
    println!(
        "3. envelope: {} bytes sealed and opened again",
        sealed.len()
    );

    // 4. Clean up (soft delete: recoverable until purged).
    for name in [&ec_name, &rsa_name] {
        keys.delete_key(name, None).await?.await?;
    }
    println!("4. deleted both keys");
    Ok(())
}
