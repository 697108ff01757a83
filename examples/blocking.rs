//! The synchronous API (feature `blocking`): the same clients without async.
//!
//! `cargo run --example blocking --features blocking`.

#[path = "support/mod.rs"]
mod support;

use keyvault::KeyClientOptions;
use keyvault::jwk::SignatureAlgorithm;
use support::{BoxError, Vault};

fn main() -> std::process::ExitCode {
    support::finish(run())
}

fn run() -> Result<(), BoxError> {
    // Only to find a vault (starting the emulator needs a runtime); the blocking client
    // below runs its own.
    let runtime = tokio::runtime::Runtime::new()?;
    let vault = runtime.block_on(Vault::connect("AZURE_KEYVAULT_URL"))?;

    let keys = keyvault::blocking::KeyClient::new(
        &vault.url,
        vault.credential.clone(),
        Some(KeyClientOptions {
            client_options: vault.options.clone(),
        }),
    )?;
    let name = support::unique("example-blocking");
    let key = keys.create_ec_key(&name, None)?;
    let crypto = keys.get_cryptography_client(key.name(), None)?;
    let signed = crypto.sign_data(SignatureAlgorithm::Es256, b"no async here")?;
    let verified = crypto.verify_data(
        SignatureAlgorithm::Es256,
        b"no async here",
        &signed.signature,
    )?;
    println!("signed and verified without async: {}", verified.is_valid);
    keys.delete_key(&name, None)?.wait()?;
    Ok(())
}
