//! Parses arbitrary bytes as a `JsonWebKey`.
//!
//! - A key that parses re-serializes, re-parses to an equal key, and serializes to the
//!   same bytes the second time.
//! - Every conversion returns (`Ok` or `Err`) without panicking; whatever imports exports
//!   and re-imports to the same key.
#![no_main]

use kv_jwk::convert::{ec, oct, rsa as jwk_rsa};
use kv_jwk::{JsonWebKey, JwkCurve, RsaImportOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(jwk) = serde_json::from_slice::<JsonWebKey>(data) else {
        return;
    };
    let json = serde_json::to_vec(&jwk).expect("a parsed key serializes");
    let again: JsonWebKey = serde_json::from_slice(&json).expect("serialized key re-parses");
    assert_eq!(again, jwk);
    assert_eq!(serde_json::to_vec(&again).expect("serializes"), json);

    // Cheap accessors must not panic either.
    let _ = format!("{jwk:?}");
    let _ = jwk.to_public();
    let _ = jwk.has_private_material();
    let _ = kv_jwk::thumbprint::canonical_input(&jwk);

    rsa_conversions(&jwk);
    ec_conversions::<p256::NistP256>(&jwk);
    ec_conversions::<k256::Secp256k1>(&jwk);
    ec_conversions::<p384::NistP384>(&jwk);
    ec_conversions::<p521::NistP521>(&jwk);
    let _ = oct::key_from_jwk(&jwk);
    let _ = oct::aes_key_from_jwk(&jwk);
});

fn rsa_conversions(jwk: &JsonWebKey) {
    // Any modulus size the library can handle, but not so large that one input takes
    // seconds.
    let options = RsaImportOptions {
        min_bits: 0,
        max_bits: 4096,
    };
    if let Ok(public) = jwk_rsa::public_key_from_jwk(jwk, &options) {
        let exported = jwk_rsa::jwk_from_public_key(&public);
        let back = jwk_rsa::public_key_from_jwk(&exported, &options).expect("export re-imports");
        assert_eq!(back, public);
    }
    if let Ok(private) = jwk_rsa::private_key_from_jwk(jwk, &options) {
        let exported = jwk_rsa::jwk_from_private_key(&private).expect("two-prime key exports");
        let back = jwk_rsa::private_key_from_jwk(&exported, &options).expect("export re-imports");
        assert_eq!(back, private);
    }
}

fn ec_conversions<C: JwkCurve>(jwk: &JsonWebKey) {
    if let Ok(public) = ec::public_key_from_jwk::<C>(jwk) {
        let exported = ec::jwk_from_public_key(&public);
        assert_eq!(exported.x, jwk.x);
        assert_eq!(exported.y, jwk.y);
        let back = ec::public_key_from_jwk::<C>(&exported).expect("export re-imports");
        assert_eq!(back, public);
    }
    if let Ok(secret) = ec::secret_key_from_jwk::<C>(jwk) {
        let exported = ec::jwk_from_secret_key(&secret);
        assert_eq!(exported.d, jwk.d);
        let back = ec::secret_key_from_jwk::<C>(&exported).expect("export re-imports");
        assert!(back == secret);
    }
}
