//! Quickstart (the README's main job).
//!
//! This first version exercises the JSON Web Key model only; it grows into the full tour
//! (emulator, keys, envelope encryption, local verification, rotation) as those crates land.

use keyvault::jwk::{JsonWebKey, KeyType, SignatureAlgorithm};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A private symmetric key as Key Vault would return it from a release.
    let jwk: JsonWebKey = serde_json::from_str(
        r#"{"kid":"https://myvault.vault.azure.net/keys/demo/0123456789abcdef0123456789abcdef",
            "kty":"oct-HSM","key_ops":["wrapKey","unwrapKey"],"k":"GawgguFyGrWKav7AX4VKUg"}"#,
    )?;
    println!("parsed key {:?}", jwk.kid.as_deref().unwrap_or("-"));
    println!("  type: {}", jwk.kty.as_ref().map_or("-", KeyType::as_str));
    println!("  has private material: {}", jwk.has_private_material());
    println!("  Debug never shows it: {jwk:?}");
    println!(
        "  public view: {}",
        serde_json::to_string(&jwk.to_public())?
    );
    let unknown: SignatureAlgorithm = "ML-DSA-65".parse()?;
    println!("  a future algorithm round-trips: {unknown}");
    Ok(())
}
