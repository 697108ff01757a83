//! RFC 3394 (§4.1, §4.6) and RFC 5649 (§6) key-wrap examples through every backend.
#![cfg(any(feature = "rustcrypto", feature = "aws-lc"))]

mod common;

use kv_crypto_local::LocalKey;
use kv_jwk::{JsonWebKey, KeyType, KeyWrapAlgorithm, SecretBytes};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn check(kek: &str, key: &str, wrapped: &str, alg: KeyWrapAlgorithm) {
    let jwk = JsonWebKey {
        kty: Some(KeyType::Oct),
        k: Some(SecretBytes::new(hex(kek))),
        ..JsonWebKey::default()
    };
    for (name, provider) in common::backends() {
        let k = LocalKey::with_provider(&jwk, provider).unwrap();
        assert_eq!(
            k.wrap_key(&alg, &hex(key)).unwrap(),
            hex(wrapped),
            "{name} {alg}"
        );
        assert_eq!(
            &k.unwrap_key(&alg, &hex(wrapped)).unwrap()[..],
            &hex(key)[..],
            "{name} {alg}"
        );
    }
}

#[test]
fn rfc3394_4_1_128_bit_kek() {
    check(
        "000102030405060708090A0B0C0D0E0F",
        "00112233445566778899AABBCCDDEEFF",
        "1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5",
        KeyWrapAlgorithm::A128Kw,
    );
}

#[test]
fn rfc3394_4_6_256_bit_kek() {
    check(
        "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
        "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
        "28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21",
        KeyWrapAlgorithm::A256Kw,
    );
}

#[test]
fn rfc5649_6_20_and_7_octets() {
    let kek = "5840df6e29b02af1 ab493b705bf16ea1 ae8338f4dcc176a8";
    for (name, provider) in common::backends() {
        if !provider.aes_kw.supports_key_len(24) {
            println!("rfc5649 [{name}]: skipped, no 192-bit key wrap in this backend");
            continue;
        }
        let jwk = JsonWebKey {
            kty: Some(KeyType::Oct),
            k: Some(SecretBytes::new(hex(kek))),
            ..JsonWebKey::default()
        };
        let k = LocalKey::with_provider(&jwk, provider).unwrap();
        for (key, wrapped) in [
            (
                "c37b7e6492584340 bed1220780894115 5068f738",
                "138bdeaa9b8fa7fc 61f97742e72248ee 5ae6ae5360d1ae6a 5f54f373fa543b6a",
            ),
            ("466f7250617369", "afbeb0f07dfbf541 9200f2ccb50bb24f"),
        ] {
            // The PKCS#11 name takes the KEK's size; A192KWPAD names it (secure key wrap).
            for alg in [
                KeyWrapAlgorithm::CkmAesKeyWrapPad,
                KeyWrapAlgorithm::A192KwPad,
            ] {
                assert_eq!(
                    k.wrap_key(&alg, &hex(key)).unwrap(),
                    hex(wrapped),
                    "{name} {alg}"
                );
                assert_eq!(
                    &k.unwrap_key(&alg, &hex(wrapped)).unwrap()[..],
                    &hex(key)[..],
                    "{name} {alg}"
                );
            }
            // A padded wrap whose name fixes another KEK size is refused before any work.
            for alg in [KeyWrapAlgorithm::A128KwPad, KeyWrapAlgorithm::A256KwPad] {
                assert!(
                    matches!(
                        k.wrap_key(&alg, &hex(key)),
                        Err(kv_crypto_local::Error::UnsupportedAlgorithm { .. })
                    ),
                    "{name} {alg}"
                );
                assert!(k.unwrap_key(&alg, &hex(wrapped)).is_err(), "{name} {alg}");
            }
        }
    }
}
