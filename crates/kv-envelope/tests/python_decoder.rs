//! FORMAT.md is complete: an independent decoder in Python (tests/python/kven_decode.py,
//! only the `cryptography` package) opens every stored vector and fresh envelopes written
//! here, one-shot and streamed, versions 1 and 2, with each of their keys alone.
//!
//! Needs Python 3 with venv and pip, and PyPI (as the SDK interop suite does); the venv is
//! created under the target directory once.

#[path = "../../../tests/common/python_venv.rs"]
mod python_venv;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use kv_crypto_local::{LocalKey, generate_oct};
use kv_envelope::{
    EnvelopeClient, EnvelopeOptions, FORMAT_VERSION_1, KeyRing, LocalKeyEncryptionKey,
};
use serde_json::{Value, json};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The venv's python with `cryptography` installed (again when the pin changed).
fn python_env() -> PathBuf {
    python_venv::python_env(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/requirements.txt"),
        &Path::new(env!("CARGO_TARGET_TMPDIR")).join("kven-decoder-venv"),
    )
}

/// A fresh AES key-encryption key: its JSON description for the decoder, and the key.
fn aes(bits: usize, id: &str) -> (Value, LocalKeyEncryptionKey) {
    let jwk = generate_oct(bits).unwrap();
    let k = jwk.k.as_ref().unwrap().expose_secret().to_vec();
    let alg = match bits {
        128 => "A128KW",
        192 => "A192KW",
        _ => "A256KW",
    };
    let desc = json!({ "key_id": id, "algorithm": alg, "key": hex(&k) });
    (
        desc,
        LocalKeyEncryptionKey::new(LocalKey::new(&jwk).unwrap(), id).unwrap(),
    )
}

fn vector(name: &str, keks: &[Value], context: &[u8], stored: bool, pt: &[u8], ct: &[u8]) -> Value {
    json!({
        "name": name, "keks": keks, "context": hex(context), "store_context": stored,
        "plaintext": hex(pt), "envelope": hex(ct),
    })
}

#[test]
fn the_python_decoder_opens_stored_vectors_and_fresh_envelopes() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let plaintext: Vec<u8> = (0..200_000u32).map(|i| (i * 13) as u8).collect();
    let mut fresh = Vec::new();

    // Version 2, three keys, one-shot, default segment size (several segments).
    let (a, ka) = aes(256, "https://a.vault.azure.net/keys/kek/1");
    let (b, kb) = aes(128, "https://b.vault.azure.net/keys/kek/7");
    let (c, kc) = aes(192, "recovery");
    let ring = EnvelopeClient::new(KeyRing::new().with(ka).with(kb).with(kc), None).unwrap();
    let ct = rt.block_on(ring.encrypt(&plaintext, b"tenant=42")).unwrap();
    fresh.push(vector(
        "fresh_v2_three_keys",
        &[a, b, c],
        b"tenant=42",
        false,
        &plaintext,
        &ct,
    ));

    // Version 2, streamed through std::io in odd chunks, stored context, small segments.
    let (d, kd) = aes(256, "https://d.vault.azure.net/keys/kek/2");
    let small = EnvelopeOptions {
        segment_size: 1000,
        store_context: true,
        ..Default::default()
    };
    let streamer = EnvelopeClient::new(kd, Some(small)).unwrap();
    let mut w = rt
        .block_on(streamer.encryptor(b"purpose=stream"))
        .unwrap()
        .into_writer(Vec::new());
    for part in plaintext[..12_345].chunks(777) {
        w.write_all(part).unwrap();
    }
    let ct = w.finish().unwrap();
    fresh.push(vector(
        "fresh_v2_streamed",
        &[d],
        b"purpose=stream",
        true,
        &plaintext[..12_345],
        &ct,
    ));

    // Version 1 on request.
    let (e, ke) = aes(256, "https://e.vault.azure.net/keys/kek/3");
    let v1 = EnvelopeOptions {
        format_version: FORMAT_VERSION_1,
        ..Default::default()
    };
    let old = EnvelopeClient::new(ke, Some(v1)).unwrap();
    let ct = rt.block_on(old.encrypt(&plaintext[..5000], b"v1")).unwrap();
    assert_eq!(ct[4], 1);
    fresh.push(vector(
        "fresh_v1",
        &[e],
        b"v1",
        false,
        &plaintext[..5000],
        &ct,
    ));

    let fresh_path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kven-fresh.json");
    std::fs::write(&fresh_path, json!({ "vectors": fresh }).to_string()).unwrap();
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = python_venv::run(
        Command::new(python_env())
            .arg(here.join("tests/python/kven_decode.py"))
            .arg(here.join("tests/vectors/format.json"))
            .arg(&fresh_path),
        "python kven_decode.py",
    );
    assert!(out.contains("8 envelopes opened"), "{out}");
}
