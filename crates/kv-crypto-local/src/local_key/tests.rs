//! Refusals, `supports` and secrecy of `LocalKey`.

use kv_jwk::{
    EncryptionAlgorithm, JsonWebKey, KeyCurveName, KeyOperation, KeyType, KeyWrapAlgorithm,
    SecretBytes, SignatureAlgorithm,
};

use crate::{
    DecryptParameters, EncryptParameters, Error, LocalKey, MlDsaInput, generate_ec,
    generate_ml_dsa, generate_oct,
};

fn oct(k: &[u8]) -> JsonWebKey {
    JsonWebKey {
        kty: Some(KeyType::Oct),
        k: Some(SecretBytes::from_slice(k)),
        ..JsonWebKey::default()
    }
}

#[test]
fn key_ops_restrict_operations() {
    let mut jwk = generate_ec(&KeyCurveName::P256).unwrap();
    jwk.key_ops = Some(vec![KeyOperation::Verify]);
    let key = LocalKey::new(&jwk).unwrap();
    assert!(!key.supports(&KeyOperation::Sign, SignatureAlgorithm::Es256));
    assert!(key.supports(&KeyOperation::Verify, SignatureAlgorithm::Es256));
    assert_eq!(
        key.sign(&SignatureAlgorithm::Es256, &[0; 32]),
        Err(Error::OperationNotPermitted(KeyOperation::Sign))
    );
}

#[test]
fn algorithm_must_fit_key_type_size_and_curve() {
    let ec = LocalKey::new(&generate_ec(&KeyCurveName::P256).unwrap()).unwrap();
    for alg in [
        SignatureAlgorithm::Es384,
        SignatureAlgorithm::Es256K,
        SignatureAlgorithm::Rs256,
        SignatureAlgorithm::Hs256,
    ] {
        assert!(!ec.supports(&KeyOperation::Verify, &alg), "{alg}");
        assert!(matches!(
            ec.verify(&alg, &[0; 48], &[0; 96]),
            Err(Error::UnsupportedAlgorithm { .. })
        ));
    }
    assert!(!ec.supports(&KeyOperation::Encrypt, EncryptionAlgorithm::RsaOaep));

    let aes = LocalKey::new(&generate_oct(256).unwrap()).unwrap();
    assert!(aes.supports(&KeyOperation::Encrypt, EncryptionAlgorithm::A256Gcm));
    assert!(!aes.supports(&KeyOperation::Encrypt, EncryptionAlgorithm::A128Gcm));
    assert!(!aes.supports(&KeyOperation::Encrypt, EncryptionAlgorithm::A256Kw));
    assert!(!aes.supports(&KeyOperation::WrapKey, EncryptionAlgorithm::A256Gcm));
    assert!(aes.supports(&KeyOperation::WrapKey, KeyWrapAlgorithm::A256Kw));
    assert!(aes.supports(&KeyOperation::WrapKey, KeyWrapAlgorithm::CkmAesKeyWrap));
    assert!(!aes.supports(&KeyOperation::WrapKey, KeyWrapAlgorithm::A128Kw));
    assert!(aes.supports(&KeyOperation::Sign, SignatureAlgorithm::Hs256));
    assert!(!aes.supports(&KeyOperation::Sign, SignatureAlgorithm::Rs256));
    assert!(!aes.supports(&KeyOperation::Import, EncryptionAlgorithm::A256Gcm));
}

/// HS256 with an `oct` key, on the Managed HSM's recorded answer (.NET
/// `ManagedHsmCryptographyClientLiveTests/LocalSignVerifyRoundTrip(HS256)`): the signature
/// is HMAC-SHA-256 of the digest under the key. HS384/HS512 round trips; digests of the
/// wrong length, other tags and other algorithms are refused.
#[test]
fn hmac_signatures_with_oct_keys() {
    let b64 = |s: &str| kv_jwk::base64url::decode(s).unwrap();
    let mut jwk = oct(&b64("pBZVALPctDgu2eVdVrBgNQlZ2-cIIN8mT0JDMENMD28"));
    jwk.key_ops = Some(vec![KeyOperation::Sign, KeyOperation::Verify]);
    let key = LocalKey::new(&jwk).unwrap();
    let digest = b64("fXYe7bL0QaXwk65meK-NlRE-ty0-bdHJBY4zMEc8eXc");
    let recorded = b64("738mLG7DvsXC_8DYffVppi44X9I9E97Ep2m6b_r1F58");
    assert_eq!(
        key.sign(&SignatureAlgorithm::Hs256, &digest).unwrap(),
        recorded
    );
    assert!(
        key.verify(&SignatureAlgorithm::Hs256, &digest, &recorded)
            .unwrap()
    );
    let mut other = recorded.clone();
    other[0] ^= 1;
    assert!(
        !key.verify(&SignatureAlgorithm::Hs256, &digest, &other)
            .unwrap()
    );
    assert!(
        !key.verify(&SignatureAlgorithm::Hs256, &digest, &recorded[..31])
            .unwrap()
    );
    assert!(matches!(
        key.sign(&SignatureAlgorithm::Hs256, &digest[..31]),
        Err(Error::InvalidInput(_))
    ));
    for (alg, len) in [
        (SignatureAlgorithm::Hs384, 48),
        (SignatureAlgorithm::Hs512, 64),
    ] {
        let digest = vec![7u8; len];
        let tag = key.sign(&alg, &digest).unwrap();
        assert_eq!(tag.len(), len, "{alg}");
        assert!(key.verify(&alg, &digest, &tag).unwrap(), "{alg}");
        assert!(
            !key.verify(&SignatureAlgorithm::Hs256, &digest[..32], &tag[..32])
                .unwrap()
        );
    }
    assert!(matches!(
        key.sign(&SignatureAlgorithm::Es256, &digest),
        Err(Error::UnsupportedAlgorithm { .. })
    ));
    jwk.key_ops = Some(vec![KeyOperation::Verify]);
    let verify_only = LocalKey::new(&jwk).unwrap();
    assert_eq!(
        verify_only.sign(&SignatureAlgorithm::Hs256, &digest),
        Err(Error::OperationNotPermitted(KeyOperation::Sign))
    );
    assert!(
        verify_only
            .verify(&SignatureAlgorithm::Hs256, &digest, &recorded)
            .unwrap()
    );
}

#[test]
fn public_keys_refuse_private_operations() {
    let jwk = generate_ec(&KeyCurveName::P384).unwrap();
    let public = LocalKey::new(&jwk.to_public()).unwrap();
    assert!(!public.has_private_material());
    assert!(!public.supports(&KeyOperation::Sign, SignatureAlgorithm::Es384));
    assert_eq!(
        public.sign(&SignatureAlgorithm::Es384, &[0; 48]),
        Err(Error::MissingPrivateMaterial)
    );
}

#[test]
fn digest_length_is_checked() {
    let key = LocalKey::new(&generate_ec(&KeyCurveName::P256).unwrap()).unwrap();
    assert!(matches!(
        key.sign(&SignatureAlgorithm::Es256, &[0; 31]),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        key.verify(&SignatureAlgorithm::Es256, &[0; 48], &[0; 64]),
        Err(Error::InvalidInput(_))
    ));
    // A signature of the wrong size is simply not valid.
    assert_eq!(
        key.verify(&SignatureAlgorithm::Es256, &[0; 32], &[0; 63]),
        Ok(false)
    );
}

#[test]
fn oct_without_usable_material_supports_nothing() {
    let no_k = JsonWebKey {
        kty: Some(KeyType::OctHsm),
        ..JsonWebKey::default()
    };
    let key = LocalKey::new(&no_k).unwrap();
    assert!(!key.supports(&KeyOperation::Encrypt, EncryptionAlgorithm::A256Gcm));
    assert!(!key.supports(&KeyOperation::WrapKey, KeyWrapAlgorithm::CkmAesKeyWrap));
    let hmac = LocalKey::new(&oct(&[1; 64])).unwrap();
    assert!(!hmac.supports(&KeyOperation::Encrypt, EncryptionAlgorithm::A256Cbc));
}

#[test]
fn iv_rules_and_malformed_input() {
    let key = LocalKey::new(&oct(&[9; 16])).unwrap();
    let alg = EncryptionAlgorithm::A128Gcm;
    let with_iv = EncryptParameters {
        iv: Some(vec![0; 12]),
        ..Default::default()
    };
    assert!(matches!(
        key.encrypt(&alg, b"x", &with_iv),
        Err(Error::InvalidInput(_))
    ));
    let cbc = EncryptionAlgorithm::A128CbcPad;
    let with_iv = EncryptParameters {
        iv: Some(vec![0; 16]),
        ..Default::default()
    };
    assert!(matches!(
        key.encrypt(&cbc, b"x", &with_iv),
        Err(Error::InvalidInput(_))
    ));
    let aad = EncryptParameters {
        additional_authenticated_data: Some(vec![1]),
        ..Default::default()
    };
    assert!(matches!(
        key.encrypt(&cbc, b"x", &aad),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        key.encrypt(
            &EncryptionAlgorithm::A128Cbc,
            &[0; 17],
            &EncryptParameters::default()
        ),
        Err(Error::InvalidInput(_))
    ));

    // Two encryptions never share an IV.
    let a = key
        .encrypt(&alg, b"same", &EncryptParameters::default())
        .unwrap();
    let b = key
        .encrypt(&alg, b"same", &EncryptParameters::default())
        .unwrap();
    assert_ne!(a.iv, b.iv);
    assert_ne!(a.ciphertext, b.ciphertext);

    let no_tag = DecryptParameters {
        iv: a.iv.clone(),
        ..Default::default()
    };
    assert!(matches!(
        key.decrypt(&alg, &a.ciphertext, &no_tag),
        Err(Error::InvalidInput(_))
    ));
    let short_iv = DecryptParameters {
        iv: Some(vec![0; 16]),
        authentication_tag: a.authentication_tag.clone(),
        ..Default::default()
    };
    assert!(matches!(
        key.decrypt(&alg, &a.ciphertext, &short_iv),
        Err(Error::InvalidInput(_))
    ));

    let out = key
        .encrypt(&cbc, b"sixteen bytes!!!", &EncryptParameters::default())
        .unwrap();
    let dp = DecryptParameters {
        iv: out.iv.clone(),
        ..Default::default()
    };
    assert!(matches!(
        key.decrypt(&cbc, &out.ciphertext[..20], &dp),
        Err(Error::InvalidInput(_))
    ));
    // Wrong padding after decryption: opaque failure.
    let mut bad = out.ciphertext.clone();
    let last = bad.len() - 17;
    bad[last] ^= 0x55;
    assert_eq!(key.decrypt(&cbc, &bad, &dp), Err(Error::CryptoFailure));
    assert!(matches!(
        key.unwrap_key(&KeyWrapAlgorithm::A128Kw, &[0; 20]),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn malformed_keys_are_refused() {
    let mut small = JsonWebKey {
        kty: Some(KeyType::Rsa),
        n: Some([vec![0xC3; 127], vec![0x01]].concat()),
        e: Some(vec![1, 0, 1]),
        ..JsonWebKey::default()
    };
    assert!(matches!(LocalKey::new(&small), Err(Error::InvalidKey(_))));
    small.n = None;
    assert!(matches!(LocalKey::new(&small), Err(Error::InvalidKey(_))));
    let mut ec = generate_ec(&KeyCurveName::P256).unwrap();
    ec.crv = Some(KeyCurveName::P384);
    assert!(matches!(LocalKey::new(&ec), Err(Error::InvalidKey(_))));
    let mut ec = generate_ec(&KeyCurveName::P256).unwrap();
    let other = generate_ec(&KeyCurveName::P256).unwrap();
    ec.d = other.d;
    assert!(matches!(LocalKey::new(&ec), Err(Error::InvalidKey(_))));
    assert!(matches!(
        LocalKey::new(&JsonWebKey::default()),
        Err(Error::InvalidKey(_))
    ));
}

#[test]
fn secrets_never_formatted() {
    let jwk = oct(&[0xA7; 32]);
    let key = LocalKey::new(&jwk).unwrap();
    let ec = generate_ec(&KeyCurveName::P256).unwrap();
    let d = ec.d.as_ref().unwrap().expose_secret().to_vec();
    let ec_key = LocalKey::new(&ec).unwrap();
    let texts = [
        format!("{key:?}"),
        format!("{ec_key:?}"),
        format!(
            "{:?}",
            key.decrypt(
                &EncryptionAlgorithm::A256Gcm,
                &[1; 8],
                &DecryptParameters::default()
            )
        ),
        format!("{}", Error::CryptoFailure),
    ];
    for t in &texts {
        assert!(
            !t.contains("167") && !t.to_lowercase().contains("a7a7"),
            "{t}"
        );
        assert!(!t.contains(&format!("{:?}", &d[..4])), "{t}");
    }
}

#[test]
fn generation_shapes() {
    for (crv, n) in [
        (KeyCurveName::P256, 32),
        (KeyCurveName::P256K, 32),
        (KeyCurveName::P384, 48),
        (KeyCurveName::P521, 66),
    ] {
        let jwk = generate_ec(&crv).unwrap();
        assert_eq!(jwk.x.as_ref().unwrap().len(), n);
        assert_eq!(jwk.d.as_ref().unwrap().len(), n);
        assert!(LocalKey::new(&jwk).unwrap().has_private_material());
    }
    for bits in [128, 192, 256] {
        assert_eq!(generate_oct(bits).unwrap().k.unwrap().len(), bits / 8);
    }
    assert!(generate_oct(100).is_err());
    assert!(crate::generate_rsa(1024, None).is_err());
    assert!(crate::generate_rsa(2048, Some(4)).is_err());
    assert_eq!(crate::random_bytes(33).unwrap().len(), 33);
}

#[cfg(feature = "aws-lc")]
#[test]
fn rsa_generation_has_all_crt_members() {
    let jwk = crate::generate_rsa(2048, None).unwrap();
    assert_eq!(jwk.n.as_ref().unwrap().len(), 256);
    assert_eq!(jwk.e.as_deref(), Some(&[1, 0, 1][..]));
    for m in [&jwk.d, &jwk.p, &jwk.q, &jwk.dp, &jwk.dq, &jwk.qi] {
        assert!(m.as_ref().is_some_and(|s| !s.is_empty()));
    }
    let key = LocalKey::new(&jwk).unwrap();
    let sig = key.sign(&SignatureAlgorithm::Ps256, &[5; 32]).unwrap();
    assert!(
        key.verify(&SignatureAlgorithm::Ps256, &[5; 32], &sig)
            .unwrap()
    );
    assert!(
        key.supports(&KeyOperation::Sign, SignatureAlgorithm::RsNull)
            == cfg!(feature = "rustcrypto")
    );
}

/// Every operation, prepared once and run twice, gives what the unprepared call gives.
#[test]
fn prepared_operations_match_the_checked_calls() {
    let rsa = LocalKey::new(&crate::generate_rsa(2048, None).unwrap()).unwrap();
    let ec = LocalKey::new(&generate_ec(&KeyCurveName::P256).unwrap()).unwrap();
    let aes = LocalKey::new(&generate_oct(256).unwrap()).unwrap();
    let digest = [7u8; 32];

    for (key, alg) in [
        (&rsa, SignatureAlgorithm::Ps256),
        (&rsa, SignatureAlgorithm::Rs256),
        (&ec, SignatureAlgorithm::Es256),
    ] {
        let sign = key.prepare(&KeyOperation::Sign, alg.clone()).unwrap();
        let verify = key.prepare(&KeyOperation::Verify, alg.clone()).unwrap();
        assert_eq!(verify.algorithm(), alg.as_str());
        for _ in 0..2 {
            let sig = key.sign_prepared(&sign, &digest).unwrap();
            assert!(key.verify(&alg, &digest, &sig).unwrap(), "{alg}");
            assert!(
                key.verify_prepared(&verify, &digest, &sig).unwrap(),
                "{alg}"
            );
            assert!(
                !key.verify_prepared(&verify, &[8u8; 32], &sig).unwrap(),
                "{alg}"
            );
        }
        // A wrong digest length is refused as the checked call refuses it.
        assert_eq!(
            key.verify_prepared(&verify, &[0u8; 20], &[0u8; 64]),
            key.verify(&alg, &[0u8; 20], &[0u8; 64])
        );
    }

    for (key, alg) in [
        (&rsa, EncryptionAlgorithm::RsaOaep256),
        (&aes, EncryptionAlgorithm::A256Gcm),
        (&aes, EncryptionAlgorithm::A256CbcPad),
    ] {
        let enc = key.prepare(&KeyOperation::Encrypt, alg.clone()).unwrap();
        let dec = key.prepare(&KeyOperation::Decrypt, alg.clone()).unwrap();
        let sealed = key
            .encrypt_prepared(&enc, b"prepared", &EncryptParameters::default())
            .unwrap();
        assert_eq!(sealed.algorithm, alg);
        let params = DecryptParameters {
            iv: sealed.iv.clone(),
            authentication_tag: sealed.authentication_tag.clone(),
            ..DecryptParameters::default()
        };
        let checked = key.decrypt(&alg, &sealed.ciphertext, &params).unwrap();
        let prepared = key
            .decrypt_prepared(&dec, &sealed.ciphertext, &params)
            .unwrap();
        assert_eq!(&**checked, b"prepared");
        assert_eq!(checked, prepared);
    }

    for (key, alg) in [
        (&rsa, KeyWrapAlgorithm::RsaOaep256),
        (&aes, KeyWrapAlgorithm::A256Kw),
        (&aes, KeyWrapAlgorithm::CkmAesKeyWrapPad),
    ] {
        let wrap = key.prepare(&KeyOperation::WrapKey, alg.clone()).unwrap();
        let unwrap = key.prepare(&KeyOperation::UnwrapKey, alg.clone()).unwrap();
        let wrapped = key.wrap_key_prepared(&wrap, &[5u8; 32]).unwrap();
        assert_eq!(*key.unwrap_key(&alg, &wrapped).unwrap(), [5u8; 32]);
        assert_eq!(
            *key.unwrap_key_prepared(&unwrap, &wrapped).unwrap(),
            [5u8; 32]
        );
        if alg == KeyWrapAlgorithm::A256Kw {
            // Deterministic: the prepared and checked calls give the same bytes.
            assert_eq!(wrapped, key.wrap_key(&alg, &[5u8; 32]).unwrap());
        }
    }
}

/// An encrypt prepared under a key-wrap name (`RSA-OAEP-256` is in both vocabularies) still
/// names its algorithm right in the result.
#[test]
fn prepared_encrypt_under_a_key_wrap_name_names_its_algorithm() {
    let rsa = LocalKey::new(&crate::generate_rsa(2048, None).unwrap()).unwrap();
    let enc = rsa
        .prepare(&KeyOperation::Encrypt, KeyWrapAlgorithm::RsaOaep256)
        .unwrap();
    let sealed = rsa
        .encrypt_prepared(&enc, b"x", &EncryptParameters::default())
        .unwrap();
    assert_eq!(sealed.algorithm, EncryptionAlgorithm::RsaOaep256);
}

/// `prepare` refuses exactly what the operation refuses.
#[test]
fn prepare_refuses_what_the_operation_refuses() {
    let mut jwk = generate_oct(256).unwrap();
    jwk.key_ops = Some(vec![KeyOperation::Encrypt]);
    let key = LocalKey::new(&jwk).unwrap();
    assert_eq!(
        key.prepare(&KeyOperation::WrapKey, KeyWrapAlgorithm::A256Kw),
        Err(Error::OperationNotPermitted(KeyOperation::WrapKey))
    );
    let aes = LocalKey::new(&generate_oct(128).unwrap()).unwrap();
    for alg in [
        KeyWrapAlgorithm::A256Kw,
        KeyWrapAlgorithm::RsaOaep256,
        KeyWrapAlgorithm::from("FUTURE-KW"),
    ] {
        let prepared = aes.prepare(&KeyOperation::WrapKey, alg.clone());
        assert!(
            matches!(prepared, Err(Error::UnsupportedAlgorithm { .. })),
            "{alg}"
        );
        assert_eq!(
            prepared.unwrap_err(),
            aes.wrap_key(&alg, &[0u8; 16]).unwrap_err()
        );
    }
    assert!(matches!(
        aes.prepare(&KeyOperation::Export, KeyWrapAlgorithm::A128Kw),
        Err(Error::UnsupportedAlgorithm { .. })
    ));
}

/// A preparation runs only on the key that made it, and only for its operation: otherwise
/// one key's `key_ops` could be used to run an operation another key forbids.
#[test]
fn a_preparation_is_bound_to_its_key_and_operation() {
    let jwk = generate_oct(256).unwrap();
    let a = LocalKey::new(&jwk).unwrap();
    let mut restricted = jwk.clone_secret();
    restricted.key_ops = Some(vec![KeyOperation::UnwrapKey]);
    let b = LocalKey::new(&restricted).unwrap();
    let wrap_on_a = a
        .prepare(&KeyOperation::WrapKey, KeyWrapAlgorithm::A256Kw)
        .unwrap();
    assert!(matches!(
        b.wrap_key_prepared(&wrap_on_a, &[1u8; 32]),
        Err(Error::InvalidInput(_))
    ));
    // The same key parsed twice is two keys.
    let a_again = LocalKey::new(&jwk).unwrap();
    assert!(a_again.wrap_key_prepared(&wrap_on_a, &[1u8; 32]).is_err());
    // An encrypt preparation does not open the unwrap door.
    let enc = a
        .prepare(&KeyOperation::Encrypt, EncryptionAlgorithm::A256Gcm)
        .unwrap();
    assert!(matches!(
        a.unwrap_key_prepared(&enc, &[0u8; 40]),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        a.decrypt_prepared(&enc, &[0u8; 16], &DecryptParameters::default()),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn ml_dsa_refusals() {
    let jwk = generate_ml_dsa(&SignatureAlgorithm::MlDsa44).unwrap();
    assert_eq!(jwk.kty, Some(KeyType::Akp));
    assert_eq!(jwk.pub_key.as_ref().map(Vec::len), Some(1312));
    assert_eq!(jwk.priv_key.as_ref().map(SecretBytes::len), Some(32));
    let key = LocalKey::new(&jwk).unwrap();
    let public = LocalKey::new(&jwk.to_public()).unwrap();
    assert!(key.has_private_material() && !public.has_private_material());
    // Another parameter set, another family, no private material, too long a context.
    for alg in [SignatureAlgorithm::MlDsa65, SignatureAlgorithm::Es256] {
        assert!(matches!(
            key.sign(&alg, b"m"),
            Err(Error::UnsupportedAlgorithm { .. })
        ));
    }
    assert_eq!(
        public.sign(&SignatureAlgorithm::MlDsa44, b"m"),
        Err(Error::MissingPrivateMaterial)
    );
    let long = [0u8; 256];
    let input = MlDsaInput::Message {
        message: b"m",
        context: &long,
    };
    assert!(matches!(
        key.sign_ml_dsa(&SignatureAlgorithm::MlDsa44, &input),
        Err(Error::InvalidInput(_))
    ));
    assert!(!key.supports(&KeyOperation::Encrypt, EncryptionAlgorithm::A256Gcm));
    assert!(public.supports(&KeyOperation::Verify, SignatureAlgorithm::MlDsa44));
    // key_ops are honoured.
    let verify_only = LocalKey::new(&jwk.clone().with_key_ops([KeyOperation::Verify])).unwrap();
    assert_eq!(
        verify_only.sign(&SignatureAlgorithm::MlDsa44, b"m"),
        Err(Error::OperationNotPermitted(KeyOperation::Sign))
    );
    // An AKP key without `alg`, with an unknown `alg`, without `pub`, or with a short seed.
    let mut broken = jwk.to_public();
    broken.alg = None;
    assert!(matches!(LocalKey::new(&broken), Err(Error::InvalidKey(_))));
    broken.alg = Some("ML-DSA-1".into());
    assert!(matches!(LocalKey::new(&broken), Err(Error::InvalidKey(_))));
    let mut no_pub = jwk.to_public();
    no_pub.pub_key = None;
    assert!(matches!(LocalKey::new(&no_pub), Err(Error::InvalidKey(_))));
    let mut short = jwk.clone();
    short.priv_key = Some(SecretBytes::from_slice(&[1; 31]));
    assert!(matches!(LocalKey::new(&short), Err(Error::InvalidKey(_))));
    // The seed never shows in Debug.
    let seed = jwk.priv_key.as_ref().unwrap().expose_secret();
    let hex: String = seed[..8].iter().map(|b| format!("{b:02x}")).collect();
    for text in [format!("{key:?}"), format!("{jwk:?}")] {
        assert!(
            !text.contains(&hex) && !text.contains(&format!("{:?}", &seed[..4])),
            "{text}"
        );
    }
}

/// RFC 3602 §4 case #1 (AES-128-CBC, one block): a caller-chosen IV is honoured for CBC,
/// decrypts with the same IV, and is refused for GCM and for keys whose `key_ops` forbid it.
#[test]
fn cbc_with_a_caller_chosen_iv() {
    let unhex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    };
    let mut jwk = oct(&unhex("06a9214036b8a15b512e03d534120006"));
    let key = LocalKey::new(&jwk).unwrap();
    let iv: [u8; 16] = unhex("3dafba429d9eb430b422da802c9fac41")
        .try_into()
        .unwrap();
    let out = key
        .encrypt_cbc_with_iv(&EncryptionAlgorithm::A128Cbc, &iv, b"Single block msg")
        .unwrap();
    assert_eq!(out.ciphertext, unhex("e353779c1079aeb82708942dbe77181a"));
    assert_eq!(out.iv.as_deref(), Some(&iv[..]));
    let back = key
        .decrypt(
            &EncryptionAlgorithm::A128Cbc,
            &out.ciphertext,
            &DecryptParameters {
                iv: out.iv.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(&back[..], b"Single block msg");
    assert!(matches!(
        key.encrypt_cbc_with_iv(&EncryptionAlgorithm::A128Gcm, &iv, b"x"),
        Err(Error::InvalidInput(_))
    ));
    jwk.key_ops = Some(vec![KeyOperation::Decrypt]);
    assert_eq!(
        LocalKey::new(&jwk)
            .unwrap()
            .encrypt_cbc_with_iv(&EncryptionAlgorithm::A128Cbc, &iv, b"x"),
        Err(Error::OperationNotPermitted(KeyOperation::Encrypt))
    );
}
