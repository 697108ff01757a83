use proptest::prelude::*;

use super::*;

const RFC7517: &str = include_str!("../../../testdata/rfc7517.json");

fn rfc7517_ec(set: &str) -> JsonWebKey {
    let value: serde_json::Value = serde_json::from_str(RFC7517).unwrap();
    serde_json::from_value(value[set]["keys"][0].clone()).unwrap()
}

/// A valid secret key of curve `C` from `seed` (scalars out of range are skipped).
fn secret_from_seed<C: JwkCurve>(seed: &[u8]) -> Option<SecretKey<C>> {
    SecretKey::<C>::from_slice(seed.get(..C::FIELD_LEN)?).ok()
}

#[test]
fn rfc7517_examples_convert() {
    let public = rfc7517_ec("A.1");
    let key = p256::PublicKey::try_from(&public).unwrap();
    assert_eq!(JsonWebKey::from(&key), public.to_public().with_kid_none());
    // A.2: `d` matches the A.1 point.
    let private = rfc7517_ec("A.2");
    let secret = p256::SecretKey::try_from(&private).unwrap();
    assert_eq!(secret.public_key(), key);
    let exported = JsonWebKey::from(&secret);
    assert_eq!(exported.d, private.d);
    assert_eq!((exported.x, exported.y), (public.x, public.y));
}

trait WithoutKid {
    fn with_kid_none(self) -> Self;
}

impl WithoutKid for JsonWebKey {
    fn with_kid_none(mut self) -> Self {
        self.kid = None;
        self
    }
}

fn round_trip<C: JwkCurve>(seed: &[u8], kty: KeyType) -> core::result::Result<(), TestCaseError> {
    let Some(secret) = secret_from_seed::<C>(seed) else {
        return Ok(());
    };
    let jwk = jwk_from_secret_key(&secret).with_key_type(kty);
    prop_assert_eq!(jwk.crv.as_ref(), Some(&C::CURVE));
    prop_assert_eq!(jwk.x.as_ref().map(Vec::len), Some(C::FIELD_LEN));
    prop_assert_eq!(jwk.y.as_ref().map(Vec::len), Some(C::FIELD_LEN));
    prop_assert_eq!(jwk.d.as_ref().map(SecretBytes::len), Some(C::FIELD_LEN));
    let json = serde_json::to_string(&jwk).unwrap();
    let parsed: JsonWebKey = serde_json::from_str(&json).unwrap();
    prop_assert_eq!(&parsed, &jwk);
    let back = secret_key_from_jwk::<C>(&parsed).unwrap();
    prop_assert!(back == secret);
    let public = public_key_from_jwk::<C>(&parsed.to_public()).unwrap();
    prop_assert_eq!(public, secret.public_key());
    prop_assert_eq!(jwk_from_public_key(&public).x, jwk.x.clone());
    Ok(())
}

fn kty() -> impl Strategy<Value = KeyType> {
    prop_oneof![Just(KeyType::Ec), Just(KeyType::EcHsm)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn p256_round_trip(seed in proptest::collection::vec(any::<u8>(), 32), kty in kty()) {
        round_trip::<p256::NistP256>(&seed, kty)?;
    }

    #[test]
    fn k256_round_trip(seed in proptest::collection::vec(any::<u8>(), 32), kty in kty()) {
        round_trip::<k256::Secp256k1>(&seed, kty)?;
    }

    #[test]
    fn p384_round_trip(seed in proptest::collection::vec(any::<u8>(), 48), kty in kty()) {
        round_trip::<p384::NistP384>(&seed, kty)?;
    }

    #[test]
    fn p521_round_trip(mut seed in proptest::collection::vec(any::<u8>(), 66), kty in kty()) {
        // Keep the scalar below the group order most of the time (521 bits).
        seed[0] &= 1;
        round_trip::<p521::NistP521>(&seed, kty)?;
    }

    /// Arbitrary coordinates are either rejected or give a point that exports unchanged.
    #[test]
    fn arbitrary_points_never_panic(x in proptest::collection::vec(any::<u8>(), 30..34),
                                    y in proptest::collection::vec(any::<u8>(), 30..34)) {
        let jwk = JsonWebKey {
            kty: Some(KeyType::Ec),
            crv: Some(KeyCurveName::P256),
            x: Some(x),
            y: Some(y),
            ..JsonWebKey::default()
        };
        if let Ok(key) = p256::PublicKey::try_from(&jwk) {
            prop_assert_eq!(JsonWebKey::from(&key), jwk);
        }
    }
}

fn sample<C: JwkCurve>() -> JsonWebKey {
    // Leading 0x01 keeps the scalar below every group order, P-521's included.
    let mut seed = vec![0x5a; C::FIELD_LEN];
    seed[0] = 0x01;
    jwk_from_secret_key(&secret_from_seed::<C>(&seed).unwrap())
}

fn rejects<C: JwkCurve>() {
    let good = sample::<C>();
    assert!(secret_key_from_jwk::<C>(&good).is_ok());
    let edit = |f: &dyn Fn(&mut JsonWebKey)| {
        let mut bad = good.clone();
        f(&mut bad);
        bad
    };
    let off_curve = edit(&|k| *k.y.as_mut().unwrap().last_mut().unwrap() ^= 1);
    assert!(matches!(
        public_key_from_jwk::<C>(&off_curve),
        Err(Error::InvalidKey(_))
    ));
    let short_x = edit(&|k| {
        k.x.as_mut().unwrap().remove(0);
    });
    assert!(matches!(
        public_key_from_jwk::<C>(&short_x),
        Err(Error::InvalidKey(_))
    ));
    let long_y = edit(&|k| k.y.as_mut().unwrap().insert(0, 0));
    assert!(matches!(
        public_key_from_jwk::<C>(&long_y),
        Err(Error::InvalidKey(_))
    ));
    let other_d = edit(&|k| {
        let other = SecretBytes::from_slice(&vec![0x11; C::FIELD_LEN]);
        k.d = Some(other);
    });
    assert!(matches!(
        secret_key_from_jwk::<C>(&other_d),
        Err(Error::InvalidKey(_))
    ));
    let short_d = edit(&|k| {
        let d = k.d.as_ref().unwrap().expose_secret()[1..].to_vec();
        k.d = Some(SecretBytes::new(d));
    });
    assert!(matches!(
        secret_key_from_jwk::<C>(&short_d),
        Err(Error::InvalidKey(_))
    ));
    let zero_d = edit(&|k| k.d = Some(SecretBytes::new(vec![0; C::FIELD_LEN])));
    assert!(matches!(
        secret_key_from_jwk::<C>(&zero_d),
        Err(Error::InvalidKey(_))
    ));
    let huge_d = edit(&|k| k.d = Some(SecretBytes::new(vec![0xff; C::FIELD_LEN])));
    assert!(matches!(
        secret_key_from_jwk::<C>(&huge_d),
        Err(Error::InvalidKey(_))
    ));
    let no_d = edit(&|k| k.d = None);
    assert_eq!(
        secret_key_from_jwk::<C>(&no_d).unwrap_err(),
        Error::MissingMember("d")
    );
    let no_y = edit(&|k| k.y = None);
    assert_eq!(
        public_key_from_jwk::<C>(&no_y).unwrap_err(),
        Error::MissingMember("y")
    );
    let no_crv = edit(&|k| k.crv = None);
    assert_eq!(
        public_key_from_jwk::<C>(&no_crv).unwrap_err(),
        Error::MissingMember("crv")
    );
    let rsa = edit(&|k| k.kty = Some(KeyType::Rsa));
    assert!(matches!(
        public_key_from_jwk::<C>(&rsa),
        Err(Error::WrongKeyType { expected: "EC", .. })
    ));
    let unknown_curve = edit(&|k| k.crv = Some(KeyCurveName::from("P-999")));
    assert_eq!(
        public_key_from_jwk::<C>(&unknown_curve).unwrap_err(),
        Error::UnsupportedCurve("P-999".into())
    );
}

#[test]
fn invalid_keys_are_rejected_on_every_curve() {
    rejects::<p256::NistP256>();
    rejects::<k256::Secp256k1>();
    rejects::<p384::NistP384>();
    rejects::<p521::NistP521>();
}

#[test]
fn curve_must_match() {
    let p256_key = sample::<p256::NistP256>();
    assert_eq!(
        public_key_from_jwk::<k256::Secp256k1>(&p256_key).unwrap_err(),
        Error::UnsupportedCurve("P-256".into())
    );
    let mut relabelled = sample::<p384::NistP384>();
    relabelled.crv = Some(KeyCurveName::P521);
    assert!(matches!(
        public_key_from_jwk::<p521::NistP521>(&relabelled),
        Err(Error::InvalidKey(_))
    ));
}

#[test]
fn field_lengths_agree_with_curve_names() {
    assert_eq!(
        p256::NistP256::CURVE.field_len(),
        Some(p256::NistP256::FIELD_LEN)
    );
    assert_eq!(
        k256::Secp256k1::CURVE.field_len(),
        Some(k256::Secp256k1::FIELD_LEN)
    );
    assert_eq!(
        p384::NistP384::CURVE.field_len(),
        Some(p384::NistP384::FIELD_LEN)
    );
    assert_eq!(
        p521::NistP521::CURVE.field_len(),
        Some(p521::NistP521::FIELD_LEN)
    );
}
