//! Instruction counts of the façade's fast path, for `valgrind --tool=callgrind`: the
//! performance report's `A256KW wrap` row (`CryptographyClient::wrap_key` over
//! `LocalKey::wrap_key`) is sub-microsecond, so a few dozen instructions show in its ratio,
//! and wall-clock timing on a shared machine cannot see them. Instruction counts can.
//!
//! ```text
//! cargo bench --bench facade_instructions --no-run      # prints the executable's path
//! valgrind --tool=callgrind --toggle-collect='*wrap_loop*' <executable> facade 20000
//! valgrind --tool=callgrind --toggle-collect='*wrap_loop*' <executable> local-key 20000
//! valgrind --tool=callgrind --toggle-collect='*wrap_loop*' <executable> async-local-key 20000
//! ```
//!
//! Each prints `Collected : N`: N / 20000 is the instructions per wrap of that variant, the
//! loop included (`callgrind_annotate` shows where they go). `async-local-key` awaits
//! `LocalKey::wrap_key` inside a bare `async fn`: the floor for any async API in this loop.
//! Without arguments (as `cargo bench` runs it) each variant wraps once, as a smoke test.

use std::hint::black_box;

use kv_client::CryptographyClient;
use kv_crypto_local::LocalKey;
use kv_jwk::KeyWrapAlgorithm;

/// The wrapped data key: 32 bytes, as in the performance report.
const DATA_KEY: [u8; 32] = [9; 32];

async fn async_local_wrap(local: &LocalKey, alg: KeyWrapAlgorithm) -> Vec<u8> {
    local.wrap_key(&alg, black_box(&DATA_KEY)).expect("wrap")
}

/// Wraps `n` times with `variant`; its name is what `--toggle-collect` matches.
#[inline(never)]
fn wrap_loop(
    variant: &str,
    n: u64,
    rt: &tokio::runtime::Runtime,
    client: &CryptographyClient,
    local: &LocalKey,
) {
    let alg = KeyWrapAlgorithm::A256Kw;
    match variant {
        "facade" => rt.block_on(async {
            for _ in 0..n {
                let wrapped = client.wrap_key(alg.clone(), black_box(&DATA_KEY)).await;
                black_box(wrapped).expect("wrap");
            }
        }),
        "local-key" => {
            for _ in 0..n {
                black_box(local.wrap_key(&alg, black_box(&DATA_KEY))).expect("wrap");
            }
        }
        "async-local-key" => rt.block_on(async {
            for _ in 0..n {
                black_box(async_local_wrap(local, alg.clone()).await);
            }
        }),
        other => panic!("unknown variant {other}: facade, local-key or async-local-key"),
    }
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let variant = args.next();
    let n: u64 = args.next().map_or(20_000, |s| s.parse().expect("a count"));
    let mut oct = kv_crypto_local::generate_oct(256).expect("AES keygen");
    oct.kid =
        Some("https://bench.vault.azure.net/keys/oct/0123456789abcdef0123456789abcdef".into());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let client = CryptographyClient::from_jwk(oct.clone_secret()).expect("client");
    let local = LocalKey::new(&oct).expect("oct key");
    // Warm up outside `wrap_loop`, so callgrind does not count it: the façade prepares its
    // operations on first use.
    let alg = KeyWrapAlgorithm::A256Kw;
    rt.block_on(client.wrap_key(alg.clone(), &DATA_KEY))
        .expect("wrap");
    local.wrap_key(&alg, &DATA_KEY).expect("wrap");
    match variant {
        Some(v) => wrap_loop(&v, n, &rt, &client, &local),
        // As `cargo bench` runs it: each variant once, as a smoke test.
        None => {
            for v in ["facade", "local-key", "async-local-key"] {
                wrap_loop(v, 1, &rt, &client, &local);
            }
            println!("facade_instructions: run it under callgrind (see its docs)");
        }
    }
}
