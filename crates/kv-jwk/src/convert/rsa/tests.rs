use proptest::prelude::*;

use super::*;

const FIXTURES: &str = include_str!("../../../testdata/rsa_keys.json");
const RFC7517: &str = include_str!("../../../testdata/rfc7517.json");

/// The fixture keys: three 2048-bit keys, then one 1024-bit key.
fn fixtures() -> Vec<JsonWebKey> {
    serde_json::from_str(FIXTURES).unwrap()
}

fn rfc7517(path: &[&str]) -> JsonWebKey {
    let mut value: serde_json::Value = serde_json::from_str(RFC7517).unwrap();
    for segment in path {
        value = match segment.parse::<usize>() {
            Ok(i) => value[i].take(),
            Err(_) => value[segment].take(),
        };
    }
    serde_json::from_value(value).unwrap()
}

fn allow_1024() -> RsaImportOptions {
    RsaImportOptions {
        min_bits: 1024,
        ..RsaImportOptions::default()
    }
}

fn key(jwk: &JsonWebKey) -> RsaPrivateKey {
    private_key_from_jwk(jwk, &allow_1024()).unwrap()
}

fn err(jwk: &JsonWebKey) -> Error {
    private_key_from_jwk(jwk, &allow_1024()).unwrap_err()
}

#[test]
#[ignore = "regenerates fixtures"]
/// Regenerates `testdata/rsa_keys.json` (run with `--release -- --ignored`; debug-mode
/// key generation is very slow). The keys come from a fixed-seed RNG.
fn regenerate_rsa_fixtures() {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x006b_766a_776b);
    let mut keys = Vec::new();
    for bits in [2048, 2048, 2048, 1024] {
        let key = RsaPrivateKey::new(&mut rng, bits).unwrap();
        keys.push(jwk_from_private_key(&key).unwrap());
    }
    let json = serde_json::to_string_pretty(&keys).unwrap();
    std::fs::write(
        concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/rsa_keys.json"),
        json + "\n",
    )
    .unwrap();
}

#[test]
fn fixtures_round_trip_exactly() {
    for (i, jwk) in fixtures().iter().enumerate() {
        let bits = if i < 3 { 2048 } else { 1024 };
        let key = key(jwk);
        assert_eq!(key.n().bit_width() as usize, bits);
        assert_eq!(jwk_from_private_key(&key).unwrap(), *jwk);
        let public = public_key_from_jwk(jwk, &allow_1024()).unwrap();
        assert_eq!(public, key.to_public_key());
        assert_eq!(jwk_from_public_key(&public), jwk.to_public());
    }
}

#[test]
fn modulus_size_policy() {
    let small = &fixtures()[3];
    assert_eq!(
        RsaPublicKey::try_from(small).unwrap_err(),
        Error::KeyTooSmall {
            bits: 1024,
            min_bits: 2048
        }
    );
    assert!(matches!(
        RsaPrivateKey::try_from(small),
        Err(Error::KeyTooSmall { .. })
    ));
    assert!(public_key_from_jwk(small, &allow_1024()).is_ok());
    let big = &fixtures()[0];
    let at_most_1024 = RsaImportOptions {
        min_bits: 512,
        max_bits: 1024,
    };
    assert_eq!(
        public_key_from_jwk(big, &at_most_1024).unwrap_err(),
        Error::KeyTooLarge {
            bits: 2048,
            max_bits: 1024
        }
    );
    let empty_range = RsaImportOptions {
        min_bits: 4096,
        max_bits: 1024,
    };
    assert!(public_key_from_jwk(big, &empty_range).is_err());
    assert!(RsaPublicKey::try_from(big).is_ok());
}

#[test]
fn rfc7517_examples_convert() {
    let public = rfc7517(&["A.1", "keys", "1"]);
    let public_key = RsaPublicKey::try_from(&public).unwrap();
    assert_eq!(public_key.n().bit_width(), 2048);
    assert_eq!(public_key.e_bytes().as_ref(), &[1, 0, 1]);
    // The A.2 private key passes every consistency check, CRT members included.
    let private = rfc7517(&["A.2", "keys", "1"]);
    let private_key = RsaPrivateKey::try_from(&private).unwrap();
    assert_eq!(private_key.to_public_key(), public_key);
    let exported = jwk_from_private_key(&private_key).unwrap();
    for (name, ours, theirs) in [
        ("d", &exported.d, &private.d),
        ("p", &exported.p, &private.p),
        ("q", &exported.q, &private.q),
        ("dp", &exported.dp, &private.dp),
        ("dq", &exported.dq, &private.dq),
        ("qi", &exported.qi, &private.qi),
    ] {
        assert_eq!(ours, theirs, "{name}");
    }
    assert!(RsaPublicKey::try_from(&rfc7517(&["B"])).is_ok());
}

#[test]
fn recovers_primes_from_n_e_d() {
    for jwk in fixtures().iter().chain([&rfc7517(&["A.2", "keys", "1"])]) {
        let mut bare = jwk.to_public();
        bare.d = jwk.d.as_ref().map(SecretBytes::clone_secret);
        let key = key(&bare);
        let exported = jwk_from_private_key(&key).unwrap();
        assert_eq!(exported.d, jwk.d);
        // Recovery may return the primes in either order.
        let same = exported.p == jwk.p && exported.q == jwk.q;
        let swapped = exported.p == jwk.q && exported.q == jwk.p;
        assert!(same || swapped);
    }
}

#[test]
fn leading_zeros_in_n_and_e_are_ignored_and_not_emitted() {
    let mut jwk = fixtures()[0].clone();
    jwk.n.as_mut().unwrap().insert(0, 0);
    jwk.e = Some(vec![0, 0, 1, 0, 1]);
    let exported = jwk_from_private_key(&key(&jwk)).unwrap();
    assert_eq!(exported, fixtures()[0]);
    assert_eq!(exported.e.as_deref(), Some(&[1u8, 0, 1][..]));
}

#[test]
fn padded_secret_members_are_accepted() {
    let mut jwk = fixtures()[1].clone();
    let mut padded_dp = vec![0u8, 0];
    padded_dp.extend_from_slice(jwk.dp.as_ref().unwrap().expose_secret());
    jwk.dp = Some(SecretBytes::new(padded_dp));
    assert_eq!(jwk_from_private_key(&key(&jwk)).unwrap(), fixtures()[1]);
}

#[test]
fn padded_base64_input_is_accepted() {
    let unpadded = FIXTURES;
    let value: serde_json::Value = serde_json::from_str(unpadded).unwrap();
    let mut padded = value.clone();
    for jwk in padded.as_array_mut().unwrap() {
        for (name, member) in jwk.as_object_mut().unwrap().iter_mut() {
            if let (false, Some(s)) = (name == "kty", member.as_str()) {
                let pad = "=".repeat((4 - s.len() % 4) % 4);
                *member = serde_json::Value::String(format!("{s}{pad}"));
            }
        }
    }
    let padded: Vec<JsonWebKey> = serde_json::from_value(padded).unwrap();
    assert_eq!(padded, fixtures());
    assert!(serde_json::to_string(&padded).unwrap().find('=').is_none());
}

fn with(jwk: &JsonWebKey, edit: impl FnOnce(&mut JsonWebKey)) -> JsonWebKey {
    let mut copy = jwk.clone();
    edit(&mut copy);
    copy
}

fn flip_last_bit(secret: &mut Option<SecretBytes>) {
    let mut bytes = secret.take().unwrap().into_zeroizing();
    *bytes.last_mut().unwrap() ^= 2;
    *secret = Some(SecretBytes::from(bytes));
}

#[test]
fn inconsistent_private_members_are_rejected() {
    let jwk = &fixtures()[0];
    let other = &fixtures()[1];
    let cases: Vec<(&str, JsonWebKey)> = vec![
        ("d changed", with(jwk, |k| flip_last_bit(&mut k.d))),
        ("d changed, no primes", {
            let mut bare = with(jwk, |k| flip_last_bit(&mut k.d));
            (bare.p, bare.q, bare.dp, bare.dq, bare.qi) = (None, None, None, None, None);
            bare
        }),
        ("dp changed", with(jwk, |k| flip_last_bit(&mut k.dp))),
        ("dq changed", with(jwk, |k| flip_last_bit(&mut k.dq))),
        ("qi changed", with(jwk, |k| flip_last_bit(&mut k.qi))),
        (
            "p from another key",
            with(jwk, |k| {
                k.p = other.p.as_ref().map(SecretBytes::clone_secret)
            }),
        ),
        (
            "p and q swapped, CRT kept",
            with(jwk, |k| std::mem::swap(&mut k.p, &mut k.q)),
        ),
        ("only p", with(jwk, |k| k.q = None)),
        (
            "CRT without primes",
            with(jwk, |k| (k.p, k.q) = (None, None)),
        ),
        (
            "d zero",
            with(jwk, |k| k.d = Some(SecretBytes::new(vec![0; 256]))),
        ),
        (
            "d empty",
            with(jwk, |k| k.d = Some(SecretBytes::new(Vec::new()))),
        ),
        (
            "d = n",
            with(jwk, |k| {
                k.d = Some(SecretBytes::from_slice(jwk.n.as_ref().unwrap()))
            }),
        ),
        (
            "d longer than n",
            with(jwk, |k| k.d = Some(SecretBytes::new(vec![1; 257]))),
        ),
        (
            "p = n, q = 1",
            with(jwk, |k| {
                k.p = Some(SecretBytes::from_slice(jwk.n.as_ref().unwrap()));
                k.q = Some(SecretBytes::new(vec![1]));
                (k.dp, k.dq, k.qi) = (None, None, None);
            }),
        ),
        ("n from another key", with(jwk, |k| k.n = other.n.clone())),
    ];
    for (name, case) in cases {
        assert!(
            matches!(err(&case), Error::InvalidKey(_)),
            "{name}: {:?}",
            err(&case)
        );
    }
    assert_eq!(err(&with(jwk, |k| k.d = None)), Error::MissingMember("d"));
}

#[test]
fn malformed_public_members_are_rejected() {
    let jwk = fixtures()[0].to_public();
    let options = RsaImportOptions::default();
    let invalid = |edit: fn(&mut JsonWebKey)| {
        let case = with(&jwk, edit);
        public_key_from_jwk(&case, &options).unwrap_err()
    };
    assert!(matches!(
        invalid(|k| k.e = Some(vec![1, 0, 0])),
        Error::InvalidKey(_)
    ));
    assert!(matches!(
        invalid(|k| k.e = Some(vec![1])),
        Error::InvalidKey(_)
    ));
    assert!(matches!(
        invalid(|k| k.e = Some(vec![0])),
        Error::InvalidKey(_)
    ));
    assert!(matches!(
        invalid(|k| k.e = Some(vec![1; 9])),
        Error::InvalidKey(_)
    ));
    assert!(matches!(
        invalid(|k| k.e = Some(vec![3, 0, 0, 0, 1])),
        Error::InvalidKey(_)
    ));
    assert!(matches!(
        invalid(|k| *k.n.as_mut().unwrap().last_mut().unwrap() &= 0xfe),
        Error::InvalidKey(_)
    ));
    assert!(matches!(
        invalid(|k| k.n = Some(vec![0; 256])),
        Error::InvalidKey(_)
    ));
    assert_eq!(invalid(|k| k.n = None), Error::MissingMember("n"));
    assert_eq!(invalid(|k| k.e = None), Error::MissingMember("e"));
    assert_eq!(invalid(|k| k.kty = None), Error::MissingMember("kty"));
    assert_eq!(
        invalid(|k| k.kty = Some(KeyType::EcHsm)),
        Error::WrongKeyType {
            expected: "RSA",
            found: "EC-HSM".into()
        }
    );
    assert!(public_key_from_jwk(&with(&jwk, |k| k.kty = Some(KeyType::RsaHsm)), &options).is_ok());
}

#[test]
fn errors_name_members_not_values() {
    let jwk = with(&fixtures()[0], |k| flip_last_bit(&mut k.dp));
    let message = err(&jwk).to_string();
    assert!(message.contains("dp"));
    let dp = crate::base64url::encode(jwk.dp.as_ref().unwrap().expose_secret());
    assert!(!message.contains(&dp[..16]));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// RustCrypto key -> JWK -> JSON -> JWK -> key, whatever the key type and extras.
    #[test]
    fn rust_crypto_round_trip(index in 0usize..4, hsm in any::<bool>(), kid in "[a-z0-9/:.]{0,20}") {
        let original = key(&fixtures()[index]);
        let kty = if hsm { KeyType::RsaHsm } else { KeyType::Rsa };
        let jwk = jwk_from_private_key(&original).unwrap().with_key_type(kty.clone()).with_kid(kid);
        let json = serde_json::to_string(&jwk).unwrap();
        let parsed: JsonWebKey = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&parsed, &jwk);
        let back = key(&parsed);
        prop_assert_eq!(&back, &original);
        let public = public_key_from_jwk(&parsed, &allow_1024()).unwrap();
        prop_assert_eq!(&public, original.as_public_key());
        let public_jwk = jwk_from_public_key(&public).with_key_type(kty);
        prop_assert_eq!(public_jwk.kid, None);
        prop_assert_eq!(public_jwk.n, jwk.n.clone());
    }

    /// Arbitrary bytes in the members never panic the importer.
    #[test]
    fn arbitrary_members_never_panic(
        n in proptest::collection::vec(any::<u8>(), 0..300),
        e in proptest::collection::vec(any::<u8>(), 0..10),
        d in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..300)),
        pq in proptest::option::of((
            proptest::collection::vec(any::<u8>(), 0..140),
            proptest::collection::vec(any::<u8>(), 0..140),
        )),
    ) {
        let (p, q) = pq.map_or((None, None), |(p, q)| (Some(SecretBytes::new(p)), Some(SecretBytes::new(q))));
        let jwk = JsonWebKey {
            kty: Some(KeyType::Rsa),
            n: Some(n),
            e: Some(e),
            d: d.map(SecretBytes::new),
            p,
            q,
            ..JsonWebKey::default()
        };
        let options = RsaImportOptions { min_bits: 0, ..RsaImportOptions::default() };
        let _ = public_key_from_jwk(&jwk, &options);
        let _ = private_key_from_jwk(&jwk, &options);
    }
}
