//! `LocalKey` next to the raw backend call, for every operation and key size.
//!
//! Besides criterion's own output, each pair is timed interleaved in the same run and a
//! markdown row `| op | LocalKey ops/s | raw ops/s | ratio |` is printed.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

#[cfg(all(feature = "rustcrypto", feature = "aws-lc"))]
mod pairs {
    use super::*;
    use aws_lc_rs::digest::{Digest, SHA256, SHA384, SHA512};
    use aws_lc_rs::signature::{self as awssig, ParsedPublicKey, RsaPublicKeyComponents};
    use kv_crypto_local::{
        CryptoProvider, DecryptParameters, EncryptParameters, LocalKey, generate_ec, generate_oct,
        generate_rsa, rust_crypto,
    };
    use kv_jwk::{EncryptionAlgorithm, JsonWebKey, KeyCurveName, SignatureAlgorithm};
    use signature::hazmat::PrehashVerifier;
    use std::hint::black_box;
    use std::sync::OnceLock;
    use std::time::Instant;

    fn rust_provider() -> &'static CryptoProvider {
        static P: OnceLock<CryptoProvider> = OnceLock::new();
        P.get_or_init(rust_crypto::provider)
    }

    /// Times `a` and `b` interleaved for `budget` each; returns ops/s of both.
    fn ratio(budget: Duration, mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
        let (mut ta, mut tb, mut na, mut nb) = (Duration::ZERO, Duration::ZERO, 0u64, 0u64);
        while ta < budget || tb < budget {
            let s = Instant::now();
            for _ in 0..8 {
                a();
            }
            ta += s.elapsed();
            na += 8;
            let s = Instant::now();
            for _ in 0..8 {
                b();
            }
            tb += s.elapsed();
            nb += 8;
        }
        (na as f64 / ta.as_secs_f64(), nb as f64 / tb.as_secs_f64())
    }

    fn pair(
        c: &mut Criterion,
        name: &str,
        budget: Duration,
        mut local: impl FnMut(),
        mut raw: impl FnMut(),
    ) {
        let mut g = c.benchmark_group(name);
        g.bench_function("LocalKey", |bch| bch.iter(&mut local));
        g.bench_function("raw", |bch| bch.iter(&mut raw));
        g.finish();
        let (l, r) = ratio(budget, local, raw);
        println!("| {name} | {l:.0} | {r:.0} | {:.2} |", l / r);
    }

    fn rsa_raw(jwk: &JsonWebKey, params: &'static awssig::RsaParameters) -> ParsedPublicKey {
        RsaPublicKeyComponents {
            n: jwk.n.as_deref().unwrap(),
            e: jwk.e.as_deref().unwrap(),
        }
        .to_parsed_public_key(params)
        .unwrap()
    }

    fn point(jwk: &JsonWebKey) -> Vec<u8> {
        let mut p = vec![4u8];
        p.extend_from_slice(jwk.x.as_deref().unwrap());
        p.extend_from_slice(jwk.y.as_deref().unwrap());
        p
    }

    pub fn all(c: &mut Criterion) {
        let budget = Duration::from_millis(
            std::env::var("KV_RATIO_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(400),
        );
        println!("| operation | LocalKey ops/s | raw ops/s | ratio |\n|---|---|---|---|");
        let d32 = [7u8; 32];
        let only_aes = std::env::var("KV_BENCH_ONLY").is_ok_and(|v| v == "aes");
        let rsa_sizes: &[usize] = if only_aes { &[] } else { &[2048, 3072, 4096] };
        for &bits in rsa_sizes {
            let jwk = generate_rsa(bits, None).unwrap();
            let key = LocalKey::new(&jwk).unwrap();
            let public = LocalKey::new(&jwk.to_public()).unwrap();
            let rc = LocalKey::with_provider(&jwk.to_public(), rust_provider()).unwrap();
            let rs_sig = key.sign(&SignatureAlgorithm::Rs256, &d32).unwrap();
            let ps_sig = key.sign(&SignatureAlgorithm::Ps256, &d32).unwrap();
            let raw_rs = rsa_raw(&jwk, &awssig::RSA_PKCS1_2048_8192_SHA256);
            let raw_ps = rsa_raw(&jwk, &awssig::RSA_PSS_2048_8192_SHA256);
            let raw_rc = rsa::PublicKey::new(
                rsa::BoxedUint::from_be_slice_vartime(jwk.n.as_deref().unwrap()),
                rsa::BoxedUint::from_be_slice_vartime(jwk.e.as_deref().unwrap()),
            )
            .unwrap();
            pair(
                c,
                &format!("RS256 verify RSA-{bits} (aws-lc)"),
                budget,
                || {
                    assert!(
                        public
                            .verify(&SignatureAlgorithm::Rs256, black_box(&d32), &rs_sig)
                            .unwrap()
                    )
                },
                || {
                    raw_rs
                        .verify_digest_sig(
                            &Digest::import_less_safe(black_box(&d32), &SHA256).unwrap(),
                            &rs_sig,
                        )
                        .unwrap()
                },
            );
            pair(
                c,
                &format!("PS256 verify RSA-{bits} (aws-lc)"),
                budget,
                || {
                    assert!(
                        public
                            .verify(&SignatureAlgorithm::Ps256, black_box(&d32), &ps_sig)
                            .unwrap()
                    )
                },
                || {
                    raw_ps
                        .verify_digest_sig(
                            &Digest::import_less_safe(black_box(&d32), &SHA256).unwrap(),
                            &ps_sig,
                        )
                        .unwrap()
                },
            );
            pair(
                c,
                &format!("RS256 verify RSA-{bits} (rustcrypto)"),
                budget,
                || {
                    assert!(
                        rc.verify(&SignatureAlgorithm::Rs256, black_box(&d32), &rs_sig)
                            .unwrap()
                    )
                },
                || {
                    raw_rc
                        .verify(
                            rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                            black_box(&d32),
                            &rs_sig,
                        )
                        .unwrap()
                },
            );
            let raw_enc: aws_lc_rs::rsa::PublicEncryptingKey =
                aws_lc_rs::rsa::PublicKeyComponents {
                    n: jwk.n.as_deref().unwrap(),
                    e: jwk.e.as_deref().unwrap(),
                }
                .try_into()
                .unwrap();
            let raw_oaep = aws_lc_rs::rsa::OaepPublicEncryptingKey::new(raw_enc).unwrap();
            let mut out = vec![0u8; bits / 8];
            let none = EncryptParameters::default();
            pair(
                c,
                &format!("RSA-OAEP-256 encrypt RSA-{bits} (aws-lc)"),
                budget,
                || {
                    public
                        .encrypt(&EncryptionAlgorithm::RsaOaep256, black_box(&d32), &none)
                        .unwrap();
                },
                || {
                    raw_oaep
                        .encrypt(
                            &aws_lc_rs::rsa::OAEP_SHA256_MGF1SHA256,
                            black_box(&d32),
                            &mut out,
                            None,
                        )
                        .unwrap();
                },
            );
            let ct = public
                .encrypt(&EncryptionAlgorithm::RsaOaep256, &d32, &none)
                .unwrap()
                .ciphertext;
            let dp = DecryptParameters::default();
            let short = Duration::from_millis(budget.as_millis() as u64 / 2);
            let rsa_priv_rc = LocalKey::with_provider(&jwk, rust_provider()).unwrap();
            pair(
                c,
                &format!("RSA-OAEP-256 decrypt RSA-{bits} aws-lc vs rustcrypto LocalKey"),
                short,
                || {
                    key.decrypt(&EncryptionAlgorithm::RsaOaep256, black_box(&ct), &dp)
                        .unwrap();
                },
                || {
                    rsa_priv_rc
                        .decrypt(&EncryptionAlgorithm::RsaOaep256, black_box(&ct), &dp)
                        .unwrap();
                },
            );
            pair(
                c,
                &format!("RS256 sign RSA-{bits} aws-lc vs rustcrypto LocalKey"),
                short,
                || {
                    key.sign(&SignatureAlgorithm::Rs256, black_box(&d32))
                        .unwrap();
                },
                || {
                    rsa_priv_rc
                        .sign(&SignatureAlgorithm::Rs256, black_box(&d32))
                        .unwrap();
                },
            );
        }
        let curves = if only_aes { 0 } else { 3 };
        for (crv, alg, vrf, hash) in [
            (
                KeyCurveName::P256,
                SignatureAlgorithm::Es256,
                &awssig::ECDSA_P256_SHA256_FIXED,
                &SHA256,
            ),
            (
                KeyCurveName::P384,
                SignatureAlgorithm::Es384,
                &awssig::ECDSA_P384_SHA384_FIXED,
                &SHA384,
            ),
            (
                KeyCurveName::P521,
                SignatureAlgorithm::Es512,
                &awssig::ECDSA_P521_SHA512_FIXED,
                &SHA512,
            ),
        ]
        .into_iter()
        .take(curves)
        {
            let jwk = generate_ec(&crv).unwrap();
            let key = LocalKey::new(&jwk).unwrap();
            let public = LocalKey::new(&jwk.to_public()).unwrap();
            let digest = vec![9u8; hash.output_len()];
            let sig = key.sign(&alg, &digest).unwrap();
            let raw = ParsedPublicKey::new(vrf, point(&jwk)).unwrap();
            pair(
                c,
                &format!("{alg} verify (aws-lc)"),
                budget,
                || assert!(public.verify(&alg, black_box(&digest), &sig).unwrap()),
                || {
                    raw.verify_digest_sig(
                        &Digest::import_less_safe(black_box(&digest), hash).unwrap(),
                        &sig,
                    )
                    .unwrap()
                },
            );
            let rc = LocalKey::with_provider(&jwk, rust_provider()).unwrap();
            pair(
                c,
                &format!("{alg} sign aws-lc vs rustcrypto LocalKey"),
                budget,
                || {
                    key.sign(&alg, black_box(&digest)).unwrap();
                },
                || {
                    rc.sign(&alg, black_box(&digest)).unwrap();
                },
            );
        }
        let jwk = generate_ec(&KeyCurveName::P256K).unwrap();
        let key = LocalKey::new(&jwk).unwrap();
        let public = LocalKey::new(&jwk.to_public()).unwrap();
        let sig = key.sign(&SignatureAlgorithm::Es256K, &d32).unwrap();
        let raw = k256::ecdsa::VerifyingKey::from_sec1_bytes(&point(&jwk)).unwrap();
        let raw_sig = k256::ecdsa::Signature::from_slice(&sig).unwrap();
        pair(
            c,
            "ES256K verify (k256)",
            budget,
            || {
                assert!(
                    public
                        .verify(&SignatureAlgorithm::Es256K, black_box(&d32), &sig)
                        .unwrap()
                )
            },
            || raw.verify_prehash(black_box(&d32), &raw_sig).unwrap(),
        );

        pair(
            c,
            "IV draw 12 B: aws-lc rand vs getrandom",
            budget,
            || {
                let mut iv = [0u8; 12];
                aws_lc_rs::rand::fill(black_box(&mut iv)).unwrap();
            },
            || {
                let mut iv = [0u8; 12];
                getrandom::fill(black_box(&mut iv)).unwrap();
            },
        );
        let oct = generate_oct(256).unwrap();
        let key = LocalKey::new(&oct).unwrap();
        let rc = LocalKey::with_provider(&oct, rust_provider()).unwrap();
        let k = oct.k.as_ref().unwrap().expose_secret().to_vec();
        let raw = aws_lc_rs::aead::LessSafeKey::new(
            aws_lc_rs::aead::UnboundKey::new(&aws_lc_rs::aead::AES_256_GCM, &k).unwrap(),
        );
        let data = vec![0x5au8; 64 * 1024];
        let mut buf = data.clone();
        let none = EncryptParameters::default();
        pair(
            c,
            "A256GCM encrypt 64 KiB (aws-lc)",
            budget,
            || {
                key.encrypt(&EncryptionAlgorithm::A256Gcm, black_box(&data), &none)
                    .unwrap();
            },
            || {
                // Like for like: a correct encryption needs a fresh nonce, and LocalKey draws
                // its IV from the OS generator, so the raw call does too.
                let mut iv = [0u8; 12];
                getrandom::fill(&mut iv).unwrap();
                buf.copy_from_slice(&data);
                let _tag = raw
                    .seal_in_place_separate_tag(
                        aws_lc_rs::aead::Nonce::assume_unique_for_key(iv),
                        aws_lc_rs::aead::Aad::empty(),
                        black_box(&mut buf),
                    )
                    .unwrap();
            },
        );
        pair(
            c,
            "A256GCM encrypt 64 KiB aws-lc vs rustcrypto LocalKey",
            budget,
            || {
                key.encrypt(&EncryptionAlgorithm::A256Gcm, black_box(&data), &none)
                    .unwrap();
            },
            || {
                rc.encrypt(&EncryptionAlgorithm::A256Gcm, black_box(&data), &none)
                    .unwrap();
            },
        );
        pair(
            c,
            "A256CBCPAD encrypt 64 KiB aws-lc vs rustcrypto LocalKey",
            budget,
            || {
                key.encrypt(&EncryptionAlgorithm::A256CbcPad, black_box(&data), &none)
                    .unwrap();
            },
            || {
                rc.encrypt(&EncryptionAlgorithm::A256CbcPad, black_box(&data), &none)
                    .unwrap();
            },
        );
        let cek = [3u8; 32];
        pair(
            c,
            "A256KW wrap 32 B aws-lc vs rustcrypto LocalKey",
            budget,
            || {
                key.wrap_key(&kv_jwk::KeyWrapAlgorithm::A256Kw, black_box(&cek))
                    .unwrap();
            },
            || {
                rc.wrap_key(&kv_jwk::KeyWrapAlgorithm::A256Kw, black_box(&cek))
                    .unwrap();
            },
        );
    }
}

fn benches(c: &mut Criterion) {
    #[cfg(all(feature = "rustcrypto", feature = "aws-lc"))]
    pairs::all(c);
    #[cfg(not(all(feature = "rustcrypto", feature = "aws-lc")))]
    let _ = c;
}

criterion_group! {
    name = local_key;
    config = Criterion::default().warm_up_time(Duration::from_millis(200)).measurement_time(Duration::from_millis(500)).sample_size(10);
    targets = benches
}
criterion_main!(local_key);
